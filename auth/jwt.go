package auth

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/omnify-cloud/omnify"
)

// Access-token defaults.
const (
	DefaultAccessTTL = 15 * time.Minute
	DefaultIssuer    = "omnify"
	DefaultAudience  = "omnify-api"
	// leeway absorbs clock skew between replicas; kept small so an expired
	// token dies promptly.
	leeway = 5 * time.Second
)

// IssuerConfig configures an Issuer; zero fields take the defaults above
// and time.Now.
type IssuerConfig struct {
	TTL      time.Duration
	Issuer   string
	Audience string
	Now      func() time.Time
}

// Claims is what a verified access token says.
type Claims struct {
	UserID    string
	OrgID     string
	Role      omnify.Role
	ID        string // unique token ID (jti)
	ExpiresAt time.Time
}

// tokenClaims is the JWT payload: registered claims plus org and role.
type tokenClaims struct {
	jwt.RegisteredClaims
	OrgID string      `json:"org"`
	Role  omnify.Role `json:"role"`
}

// Issuer signs and verifies access tokens with one Ed25519 key. The
// algorithm is pinned to EdDSA on verification, so neither "none" nor an
// HMAC token keyed with the public key is ever accepted.
type Issuer struct {
	key    ed25519.PrivateKey
	pub    ed25519.PublicKey
	kid    string
	cfg    IssuerConfig
	parser *jwt.Parser
}

// NewIssuer returns an Issuer signing with key.
func NewIssuer(key ed25519.PrivateKey, cfg IssuerConfig) *Issuer {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultAccessTTL
	}
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	pub, _ := key.Public().(ed25519.PublicKey)
	return &Issuer{
		key: key, pub: pub, kid: KeyID(pub), cfg: cfg,
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(cfg.Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(leeway),
			jwt.WithTimeFunc(cfg.Now),
		),
	}
}

// KeyID returns the key's RFC 7638 JWK thumbprint, used as the kid header.
func KeyID(pub ed25519.PublicKey) string {
	// Members in lexicographic order, no whitespace, as RFC 7638 requires.
	jwk, _ := json.Marshal(struct {
		Crv string `json:"crv"`
		Kty string `json:"kty"`
		X   string `json:"x"`
	}{"Ed25519", "OKP", base64.RawURLEncoding.EncodeToString(pub)})
	sum := sha256.Sum256(jwk)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// KeyID returns the kid this Issuer stamps on its tokens.
func (i *Issuer) KeyID() string { return i.kid }

// PublicKey returns the verification key.
func (i *Issuer) PublicKey() ed25519.PublicKey { return i.pub }

// TTL returns the access-token lifetime.
func (i *Issuer) TTL() time.Duration { return i.cfg.TTL }

// Issue signs an access token for userID acting in orgID with role, and
// returns it with its lifetime in seconds.
func (i *Issuer) Issue(userID, orgID string, role omnify.Role) (string, int, error) {
	if userID == "" || orgID == "" || !role.Valid() {
		return "", 0, fmt.Errorf("issue token: user %q org %q role %q: %w", userID, orgID, role, omnify.ErrInvalid)
	}
	jti, err := uuid.NewV7()
	if err != nil {
		return "", 0, fmt.Errorf("issue token: id: %w", err)
	}
	now := i.cfg.Now()
	c := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.cfg.Issuer,
			Subject:   userID,
			Audience:  jwt.ClaimStrings{i.cfg.Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(i.cfg.TTL)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti.String(),
		},
		OrgID: orgID,
		Role:  role,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = i.kid
	s, err := t.SignedString(i.key)
	if err != nil {
		return "", 0, fmt.Errorf("issue token: sign: %w", err)
	}
	return s, int(i.cfg.TTL / time.Second), nil
}

// Verify checks a token's signature, algorithm, key ID, issuer, audience and
// lifetime, and returns its claims. Every failure wraps
// omnify.ErrUnauthorized.
func (i *Issuer) Verify(token string) (*Claims, error) {
	var c tokenClaims
	_, err := i.parser.ParseWithClaims(token, &c, i.keyFor)
	if err != nil {
		return nil, fmt.Errorf("verify token: %w: %w", omnify.ErrUnauthorized, err)
	}
	if c.Subject == "" || c.OrgID == "" || !c.Role.Valid() || c.ExpiresAt == nil {
		return nil, fmt.Errorf("verify token: incomplete claims: %w", omnify.ErrUnauthorized)
	}
	return &Claims{UserID: c.Subject, OrgID: c.OrgID, Role: c.Role, ID: c.ID, ExpiresAt: c.ExpiresAt.UTC()}, nil
}

func (i *Issuer) keyFor(t *jwt.Token) (any, error) {
	if kid, _ := t.Header["kid"].(string); kid != i.kid {
		return nil, fmt.Errorf("unknown key id %q", kid)
	}
	return i.pub, nil
}
