package auth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"testing"

	"github.com/omnify-cloud/omnify/auth"
)

func TestNewRefreshToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, hash, err := auth.NewRefreshToken()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q: %d bytes, %v; want 32 base64url bytes", tok, len(raw), err)
		}
		sum := sha256.Sum256([]byte(tok))
		if want := hex.EncodeToString(sum[:]); hash != want || auth.HashRefreshToken(tok) != want {
			t.Fatalf("hash = %s, want %s", hash, want)
		}
		if seen[tok] {
			t.Fatal("duplicate refresh token")
		}
		seen[tok] = true
	}
}
