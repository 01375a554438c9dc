package auth_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/auth"
)

// cheap keeps tests fast; production parameters are exercised by the
// reference vectors and the benchmarks.
var cheap = auth.Argon2Params{Memory: 256, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	h := auth.NewHasher(cheap, 0)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=256,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(enc) {
		t.Fatalf("hash %q is not a PHC argon2id string", enc)
	}
	for pw, want := range map[string]bool{
		"correct horse battery staple":  true,
		"correct horse battery staple ": false,
		"Correct horse battery staple":  false,
		"":                              false,
	} {
		ok, err := h.Verify(ctx, enc, pw)
		if err != nil || ok != want {
			t.Errorf("Verify(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	again, _ := h.Hash(ctx, "correct horse battery staple")
	if again == enc {
		t.Error("two hashes of one password are equal: salt not random")
	}
}

// TestVerifyReferenceVectors checks hashes made by the argon2 reference
// implementation, with parameters other than the Hasher's own: Verify must
// take them from the encoded string.
func TestVerifyReferenceVectors(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/argon2-reference.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := auth.NewHasher(cheap, 0)
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		pw, enc, ok := strings.Cut(sc.Text(), "\t")
		if !ok || strings.HasPrefix(pw, "#") {
			continue
		}
		n++
		if ok, err := h.Verify(context.Background(), enc, pw); err != nil || !ok {
			t.Errorf("Verify(%q, %q) = %v, %v; want true", enc, pw, ok, err)
		}
		if ok, _ := h.Verify(context.Background(), enc, pw+"x"); ok {
			t.Errorf("Verify(%q) accepted a wrong password", enc)
		}
		if !h.NeedsRehash(enc) {
			t.Errorf("NeedsRehash(%q) = false for foreign parameters", enc)
		}
	}
	if n != 3 {
		t.Fatalf("read %d vectors, want 3", n)
	}
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	h := auth.NewHasher(cheap, 0)
	const salt, key = "b21uaWZ5c2FsdHNhbHQxNg", "+Vvo5oBxaz4qAkn4A5KPu44n7Alxjo/IwXyL+EVy4q4"
	bad := []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=1024,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=1024,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=1024,t=2$" + salt + "$" + key,
		"$argon2id$v=19$m=1024,t=2,p=1,x=3$" + salt + "$" + key,
		"$argon2id$v=19$m=1024,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=1024,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=1024,t=2,p=256$" + salt + "$" + key,
		"$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key, // 4 GiB
		"$argon2id$v=19$m=1024,t=100000,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=1024,t=2,p=1$c2FsdA$" + key, // 4-byte salt
		"$argon2id$v=19$m=1024,t=2,p=1$" + salt + "$AAAA",
		"$argon2id$v=19$m=1024,t=2,p=1$" + salt + "$not base64!",
		"$argon2id$v=19$m=1024,t=2,p=1$" + salt + "$" + key + "$",
	}
	for _, enc := range bad {
		ok, err := h.Verify(context.Background(), enc, "pw")
		if ok || !errors.Is(err, auth.ErrBadHash) {
			t.Errorf("Verify(%q) = %v, %v; want ErrBadHash", enc, ok, err)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	h := auth.NewHasher(cheap, 0)
	enc, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if h.NeedsRehash(enc) {
		t.Error("NeedsRehash on own hash = true")
	}
	stronger := cheap
	stronger.Time = 2
	if !auth.NewHasher(stronger, 0).NeedsRehash(enc) {
		t.Error("NeedsRehash after raising t = false")
	}
}

func TestDefaultParamsMeetOWASP(t *testing.T) {
	p := auth.DefaultArgon2Params()
	// OWASP's argon2id floor: 19 MiB with t=2, p=1 (or more memory, fewer passes).
	if p.Memory < 19*1024 || p.Time < 2 || p.Threads < 1 || p.SaltLen < 16 || p.KeyLen < 32 {
		t.Errorf("DefaultArgon2Params() = %+v, below OWASP minimum", p)
	}
	if got := auth.NewHasher(auth.Argon2Params{}, 0).Params(); got != p {
		t.Errorf("zero params became %+v, want defaults %+v", got, p)
	}
}

// TestConcurrencyBounded runs 50 verifications at once and watches how many
// argon2 computations overlap.
func TestConcurrencyBounded(t *testing.T) {
	const limit = 3
	h := auth.NewHasher(auth.Argon2Params{Memory: 1024, Time: 2, Threads: 1}, limit)
	enc, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	inFlight, peak := 0, 0
	auth.SetComputeHook(h, func(d int) {
		mu.Lock()
		inFlight += d
		peak = max(peak, inFlight)
		mu.Unlock()
		if d > 0 {
			time.Sleep(2 * time.Millisecond) // widen the window for overlap
		}
	})
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if ok, err := h.Verify(context.Background(), enc, "correct horse battery staple"); !ok || err != nil {
				t.Errorf("Verify = %v, %v", ok, err)
			}
		})
	}
	wg.Wait()
	if peak > limit {
		t.Errorf("peak concurrent computations = %d, want ≤ %d", peak, limit)
	}
	if peak < 2 {
		t.Errorf("peak concurrent computations = %d: semaphore serialised everything", peak)
	}
}

func TestWaitRespectsContext(t *testing.T) {
	h := auth.NewHasher(cheap, 1)
	release := make(chan struct{})
	started := make(chan struct{})
	auth.SetComputeHook(h, func(d int) {
		if d > 0 {
			close(started)
			<-release
		}
	})
	go func() { _ = h.DummyVerify(context.Background()) }()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := h.Hash(ctx, "correct horse battery staple")
	close(release)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Hash while the only slot is busy: err = %v, want DeadlineExceeded", err)
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h := auth.NewHasher(auth.DefaultArgon2Params(), 0)
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyDefault(b *testing.B) {
	h := auth.NewHasher(auth.DefaultArgon2Params(), 0)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := h.Verify(ctx, enc, "correct horse battery staple"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkDummyVerifyDefault(b *testing.B) {
	h := auth.NewHasher(auth.DefaultArgon2Params(), 0)
	for b.Loop() {
		if err := h.DummyVerify(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
