package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// DefaultRefreshTTL is how long a refresh-token family lives without use.
const DefaultRefreshTTL = 30 * 24 * time.Hour

// NewRefreshToken returns an opaque refresh token (32 random bytes,
// base64url) and the hash to store in its place.
func NewRefreshToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("new refresh token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashRefreshToken(token), nil
}

// HashRefreshToken returns the hex SHA-256 of token. A fast hash suffices:
// the token has 256 bits of entropy, so there is nothing to brute-force.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
