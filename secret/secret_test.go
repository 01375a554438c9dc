package secret_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/omnify-cloud/omnify/secret"
)

func mustKey(t *testing.T) []byte {
	t.Helper()
	k, err := secret.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustBox(t *testing.T, primary []byte, older ...[]byte) *secret.Box {
	t.Helper()
	b, err := secret.New(primary, older...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	box := mustBox(t, mustKey(t))
	for _, plain := range [][]byte{nil, []byte("x"), []byte(`{"access_token":"shpat_0123456789abcdef"}`), bytes.Repeat([]byte{0}, 4096)} {
		aad := []byte("org-1/conn-1")
		ct, err := box.Seal(plain, aad)
		if err != nil {
			t.Fatal(err)
		}
		if len(plain) >= 8 && bytes.Contains(ct, plain) { // shorter ones may occur by chance
			t.Fatal("ciphertext contains the plaintext")
		}
		got, err := box.Open(ct, aad)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if !bytes.Equal(got, plain) {
			t.Fatalf("round trip gave %q, want %q", got, plain)
		}
	}
}

func TestFreshNonces(t *testing.T) {
	box := mustBox(t, mustKey(t))
	a, _ := box.Seal([]byte("same"), nil)
	b, _ := box.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical: nonce reused")
	}
}

func TestTamperDetection(t *testing.T) {
	box := mustBox(t, mustKey(t))
	aad := []byte("org-1/conn-1")
	ct, err := box.Seal([]byte("secret token"), aad)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ct {
		bad := bytes.Clone(ct)
		bad[i] ^= 0x01
		if _, err := box.Open(bad, aad); err == nil {
			t.Fatalf("flipping a bit of byte %d went unnoticed", i)
		}
	}
	cases := map[string]struct {
		ct, aad []byte
	}{
		"other context":  {ct, []byte("org-2/conn-1")},
		"no context":     {ct, nil},
		"truncated":      {ct[:len(ct)-1], aad},
		"header only":    {ct[:5], aad},
		"empty":          {nil, aad},
		"appended bytes": {append(bytes.Clone(ct), 0), aad},
	}
	for name, c := range cases {
		if _, err := box.Open(c.ct, c.aad); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}

func TestWrongKey(t *testing.T) {
	ct, err := mustBox(t, mustKey(t)).Seal([]byte("secret"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = mustBox(t, mustKey(t)).Open(ct, nil)
	if !errors.Is(err, secret.ErrUnknownKey) {
		t.Fatalf("open with another key: %v, want ErrUnknownKey", err)
	}
}

func TestRotation(t *testing.T) {
	oldKey, newKey := mustKey(t), mustKey(t)
	oldCT, _ := mustBox(t, oldKey).Seal([]byte("old secret"), nil)
	rotated := mustBox(t, newKey, oldKey)
	got, err := rotated.Open(oldCT, nil)
	if err != nil || string(got) != "old secret" {
		t.Fatalf("rotated box cannot open the old key's ciphertext: %q %v", got, err)
	}
	newCT, _ := rotated.Seal([]byte("new secret"), nil)
	if _, err := mustBox(t, oldKey).Open(newCT, nil); !errors.Is(err, secret.ErrUnknownKey) {
		t.Fatalf("a rotated box still seals with the old key: %v", err)
	}
	if rotated.PrimaryKeyID() == mustBox(t, oldKey).PrimaryKeyID() {
		t.Fatal("different keys share an ID")
	}
}

func TestNewRefusesBadKeys(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := secret.New(make([]byte, n)); err == nil {
			t.Errorf("a %d-byte key was accepted", n)
		}
	}
	if _, err := secret.New(mustKey(t), []byte("short")); err == nil {
		t.Error("a short older key was accepted")
	}
}

func TestParseKey(t *testing.T) {
	k := mustKey(t)
	enc := secret.EncodeKey(k)
	for _, s := range []string{enc, " " + enc + "\n", strings.TrimRight(enc, "=")} {
		got, err := secret.ParseKey(s)
		if err != nil || !bytes.Equal(got, k) {
			t.Fatalf("ParseKey(%q) = %x, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "not base64 !!", secret.EncodeKey(k[:16])} {
		if _, err := secret.ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "master.key")
	k1, err := secret.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
	}
	if dir, _ := os.Stat(filepath.Dir(path)); dir.Mode().Perm() != 0o700 {
		t.Fatalf("key dir mode %v, want 0700", dir.Mode().Perm())
	}
	k2, err := secret.LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load gave another key (%v)", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := secret.LoadOrCreateKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a world-readable key file was accepted: %v", err)
	}
}

func TestLoadOrCreateKeyConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := secret.LoadOrCreateKey(path)
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) {
			t.Fatal("processes starting at once got different keys")
		}
	}
}

func TestCorruptKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := secret.LoadOrCreateKey(path); err == nil {
		t.Fatal("a corrupt key file was accepted")
	}
}
