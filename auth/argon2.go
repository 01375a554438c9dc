package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are argon2id cost parameters. Memory is in KiB.
type Argon2Params struct {
	Memory  uint32
	Time    uint32
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultArgon2Params returns OWASP's first recommended argon2id setting
// (19 MiB, 2 passes, 1 lane). On a 2-core server one hash takes about
// 25 ms when idle and 60 ms under heavy load, so a login stays under
// 100 ms while each guess costs an attacker 19 MiB and two passes over it.
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on parameters read from an encoded hash, so a corrupt or hostile
// stored hash cannot make one verification take unbounded memory or time.
const (
	maxMemory  = 1 << 20 // 1 GiB
	maxTime    = 64
	maxKeyLen  = 1024
	minSaltLen = 8
)

// ErrBadHash means an encoded hash is not an argon2id PHC string this
// package accepts.
var ErrBadHash = errors.New("auth: malformed argon2id hash")

func (p Argon2Params) validate() error {
	switch {
	case p.Threads == 0, p.Time == 0 || p.Time > maxTime:
		return fmt.Errorf("%w: t=%d p=%d", ErrBadHash, p.Time, p.Threads)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("%w: m=%d", ErrBadHash, p.Memory)
	case p.SaltLen < minSaltLen, p.KeyLen < 16 || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: salt %d bytes, key %d bytes", ErrBadHash, p.SaltLen, p.KeyLen)
	}
	return nil
}

// Hasher hashes and verifies passwords. A semaphore bounds how many argon2
// computations run at once: each holds Memory KiB, so an unbounded login
// storm would otherwise exhaust memory. Waiting for a slot respects the
// caller's context.
type Hasher struct {
	params Argon2Params
	sem    chan struct{}
	// onCompute, when set, is told +1 as a computation starts and -1 as it
	// ends; tests use it to observe concurrency.
	onCompute func(delta int)
}

// NewHasher returns a Hasher producing hashes with p. maxConcurrent ≤ 0
// means 2×GOMAXPROCS. Zero fields of p take DefaultArgon2Params' values.
func NewHasher(p Argon2Params, maxConcurrent int) *Hasher {
	p = p.withDefaults()
	if maxConcurrent <= 0 {
		maxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	return &Hasher{params: p, sem: make(chan struct{}, maxConcurrent)}
}

func (p Argon2Params) withDefaults() Argon2Params {
	d := DefaultArgon2Params()
	if p.Memory == 0 {
		p.Memory = d.Memory
	}
	if p.Time == 0 {
		p.Time = d.Time
	}
	if p.Threads == 0 {
		p.Threads = d.Threads
	}
	if p.SaltLen == 0 {
		p.SaltLen = d.SaltLen
	}
	if p.KeyLen == 0 {
		p.KeyLen = d.KeyLen
	}
	return p
}

// Params returns the parameters new hashes use.
func (h *Hasher) Params() Argon2Params { return h.params }

// Hash returns pw's argon2id hash in PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, base64 without padding.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.params.validate(); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: salt: %w", err)
	}
	key, err := h.derive(ctx, pw, salt, h.params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return encodeHash(h.params, salt, key), nil
}

// Verify reports whether pw matches encoded, using the parameters recorded
// in encoded. A mismatch is (false, nil); a malformed hash wraps ErrBadHash.
func (h *Hasher) Verify(ctx context.Context, encoded, pw string) (bool, error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, fmt.Errorf("verify password: %w", err)
	}
	got, err := h.derive(ctx, pw, salt, p)
	if err != nil {
		return false, fmt.Errorf("verify password: %w", err)
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// DummyVerify spends what a Verify with the Hasher's parameters spends, and
// is called when a login names an unknown account so that the response time
// does not reveal which accounts exist. Its only error is the context's.
func (h *Hasher) DummyVerify(ctx context.Context) error {
	var salt [16]byte
	if _, err := h.derive(ctx, "omnify-dummy-password", salt[:], h.params); err != nil {
		return fmt.Errorf("dummy verify: %w", err)
	}
	return nil
}

// NeedsRehash reports whether encoded was made with other parameters than
// the Hasher's, so a successful login can upgrade it.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return true
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p != h.params
}

// derive runs argon2id once a semaphore slot is free.
func (h *Hasher) derive(ctx context.Context, pw string, salt []byte, p Argon2Params) ([]byte, error) {
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for hashing slot: %w", ctx.Err())
	}
	defer func() { <-h.sem }()
	if h.onCompute != nil {
		h.onCompute(1)
		defer h.onCompute(-1)
	}
	return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

var b64 = base64.RawStdEncoding

func encodeHash(p Argon2Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

func decodeHash(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: not an argon2id PHC string", ErrBadHash)
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", ErrBadHash, parts[2])
	}
	if err := scanParams(parts[3], &p); err != nil {
		return p, nil, nil, err
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err := errors.Join(err1, err2); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %w", ErrBadHash, err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.validate(); err != nil {
		return p, nil, nil, err
	}
	return p, salt, key, nil
}

func scanParams(s string, p *Argon2Params) error {
	var threads uint32
	n, err := fmt.Sscanf(s, "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads)
	if err != nil || n != 3 || threads > 255 || fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, threads) != s {
		return fmt.Errorf("%w: parameters %q", ErrBadHash, s)
	}
	p.Threads = uint8(threads)
	return nil
}
