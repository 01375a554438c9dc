// Package secret encrypts platform credentials at rest with AES-256-GCM
// under a master key. Every ciphertext starts with a format version and the
// ID of the key that sealed it, so the master key can rotate: a Box opens
// what any of its keys sealed and seals with its primary key.
//
// The master key comes from OMNIFY_MASTER_KEY (base64 of 32 bytes, parsed
// by cmd with ParseKey) or from a key file created on first run
// (LoadOrCreateKey). Callers bind each ciphertext to its owner with
// additional data (e.g. org and connection IDs), so a ciphertext copied to
// another record does not open.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a master key in bytes (AES-256).
const KeySize = 32

// version is the first byte of every ciphertext of this format.
const version byte = 1

// keyIDSize is the length of the key ID that follows the version byte.
const keyIDSize = 4

// Errors Open returns.
var (
	// ErrUnknownKey: the ciphertext was sealed by a key this Box lacks.
	ErrUnknownKey = errors.New("sealed by an unknown key")
	// ErrDecrypt: the ciphertext is malformed, altered, or its additional
	// data differs.
	ErrDecrypt = errors.New("cannot decrypt: altered or wrong context")
)

// KeyID names a key without revealing it: the first bytes of its SHA-256.
type KeyID [keyIDSize]byte

func (id KeyID) String() string { return fmt.Sprintf("%x", id[:]) }

func idOf(key []byte) KeyID {
	sum := sha256.Sum256(key)
	var id KeyID
	copy(id[:], sum[:keyIDSize])
	return id
}

// Box seals with its primary key and opens with any of its keys.
type Box struct {
	primary KeyID
	aeads   map[KeyID]cipher.AEAD
}

// New returns a Box sealing with primary and also opening what the older
// keys sealed. Every key must be KeySize bytes.
func New(primary []byte, older ...[]byte) (*Box, error) {
	b := &Box{aeads: map[KeyID]cipher.AEAD{}}
	for i, k := range append([][]byte{primary}, older...) {
		if len(k) != KeySize {
			return nil, fmt.Errorf("secret key %d: %d bytes, want %d", i, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("secret key %d: %w", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("secret key %d: %w", i, err)
		}
		b.aeads[idOf(k)] = aead
	}
	b.primary = idOf(primary)
	return b, nil
}

// PrimaryKeyID names the key Seal uses.
func (b *Box) PrimaryKeyID() KeyID { return b.primary }

// Seal encrypts plaintext bound to aad under the primary key with a fresh
// random nonce: version || key ID || nonce || ciphertext and tag.
func (b *Box) Seal(plaintext, aad []byte) ([]byte, error) {
	aead := b.aeads[b.primary]
	head := make([]byte, 1+keyIDSize+aead.NonceSize(), 1+keyIDSize+aead.NonceSize()+len(plaintext)+aead.Overhead())
	head[0] = version
	copy(head[1:], b.primary[:])
	if _, err := rand.Read(head[1+keyIDSize:]); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return aead.Seal(head, head[1+keyIDSize:], plaintext, b.aadFor(aad, head[:1+keyIDSize])), nil
}

// aadFor binds the header into the additional data, so a changed version
// or key ID fails authentication too.
func (b *Box) aadFor(aad, header []byte) []byte {
	out := make([]byte, 0, len(header)+len(aad))
	return append(append(out, header...), aad...)
}

// Open decrypts a ciphertext Seal made with the same aad.
func (b *Box) Open(ciphertext, aad []byte) ([]byte, error) {
	if len(ciphertext) < 1+keyIDSize || ciphertext[0] != version {
		return nil, fmt.Errorf("open: %w", ErrDecrypt)
	}
	var id KeyID
	copy(id[:], ciphertext[1:1+keyIDSize])
	aead, ok := b.aeads[id]
	if !ok {
		return nil, fmt.Errorf("open: key %s: %w", id, ErrUnknownKey)
	}
	rest := ciphertext[1+keyIDSize:]
	if len(rest) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("open: %w", ErrDecrypt)
	}
	nonce, sealed := rest[:aead.NonceSize()], rest[aead.NonceSize():]
	out, err := aead.Open(nil, nonce, sealed, b.aadFor(aad, ciphertext[:1+keyIDSize]))
	if err != nil {
		return nil, fmt.Errorf("open: %w", ErrDecrypt)
	}
	return out, nil
}

// ParseKey decodes a base64 master key (standard or URL alphabet, padded
// or not) of KeySize bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != KeySize {
				return nil, fmt.Errorf("master key is %d bytes, want %d", len(k), KeySize)
			}
			return k, nil
		}
	}
	return nil, errors.New("master key is not base64")
}

// EncodeKey is the base64 form ParseKey reads.
func EncodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// NewKey returns a fresh random master key.
func NewKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("new master key: %w", err)
	}
	return k, nil
}
