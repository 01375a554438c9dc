package auth_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/auth"
)

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newIssuer(t *testing.T) (*auth.Issuer, ed25519.PrivateKey, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	k := newKey(t)
	return auth.NewIssuer(k, auth.IssuerConfig{Now: c.Now}), k, c
}

func TestIssueVerify(t *testing.T) {
	iss, _, c := newIssuer(t)
	tok, expiresIn, err := iss.Issue("user-1", "org-1", omnify.RoleAnalyst)
	if err != nil {
		t.Fatal(err)
	}
	if expiresIn != 900 {
		t.Errorf("expiresIn = %d, want 900", expiresIn)
	}
	got, err := iss.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := auth.Claims{UserID: "user-1", OrgID: "org-1", Role: omnify.RoleAnalyst, ID: got.ID, ExpiresAt: c.t.Add(15 * time.Minute)}
	if got.ID == "" || *got != want {
		t.Errorf("claims = %+v, want %+v", *got, want)
	}
	header := decodeSegment(t, tok, 0)
	if header["alg"] != "EdDSA" || header["kid"] != iss.KeyID() {
		t.Errorf("header = %v, want alg EdDSA and kid %s", header, iss.KeyID())
	}
	second, _, _ := iss.Issue("user-1", "org-1", omnify.RoleAnalyst)
	if c2, _ := iss.Verify(second); c2 == nil || c2.ID == got.ID {
		t.Error("two tokens share a jti")
	}
}

func TestIssueRejectsBadInput(t *testing.T) {
	iss, _, _ := newIssuer(t)
	for _, in := range [][3]string{{"", "o", "owner"}, {"u", "", "owner"}, {"u", "o", "root"}} {
		if _, _, err := iss.Issue(in[0], in[1], omnify.Role(in[2])); !errors.Is(err, omnify.ErrInvalid) {
			t.Errorf("Issue%v: err = %v, want ErrInvalid", in, err)
		}
	}
}

// TestKeyIDIsThumbprint checks the kid against RFC 7638's published example
// computed for an Ed25519 key (RFC 8037 appendix A.3).
func TestKeyIDIsThumbprint(t *testing.T) {
	x, err := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := auth.KeyID(ed25519.PublicKey(x)), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"; got != want {
		t.Errorf("KeyID = %s, want %s", got, want)
	}
}

func TestVerifyRejectsAttacks(t *testing.T) {
	iss, key, c := newIssuer(t)
	good, _, err := iss.Issue("user-1", "org-1", omnify.RoleViewer)
	if err != nil {
		t.Fatal(err)
	}
	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		m := jwt.MapClaims{
			"iss": auth.DefaultIssuer, "aud": []string{auth.DefaultAudience}, "sub": "user-1",
			"org": "org-1", "role": "owner", "iat": c.t.Unix(), "nbf": c.t.Unix(),
			"exp": c.t.Add(time.Minute).Unix(), "jti": "x",
		}
		if mod != nil {
			mod(m)
		}
		return m
	}
	sign := func(k ed25519.PrivateKey, kid string, m jwt.MapClaims) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, m)
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pub := []byte(key.Public().(ed25519.PublicKey))
	hs256 := jwt.NewWithClaims(jwt.SigningMethodHS256, claims(nil))
	hs256.Header["kid"] = iss.KeyID()
	confused, err := hs256.SignedString(pub)
	if err != nil {
		t.Fatal(err)
	}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil))
	none.Header["kid"] = iss.KeyID()
	unsigned, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + encodeSegment(t, claims(nil)) + "." + parts[2]

	attacks := map[string]string{
		"empty":                   "",
		"garbage":                 "not.a.token",
		"two segments":            parts[0] + "." + parts[1],
		"alg none":                unsigned,
		"alg none, no signature":  strings.TrimSuffix(unsigned, "."),
		"HS256 keyed with public": confused,
		"forged with another key": sign(newKey(t), iss.KeyID(), claims(nil)),
		"wrong kid":               sign(key, "other-key", claims(nil)),
		"missing kid":             sign(key, "", claims(nil)),
		"payload swapped":         tampered,
		"signature stripped":      parts[0] + "." + parts[1] + ".",
		"expired":                 sign(key, iss.KeyID(), claims(func(m jwt.MapClaims) { m["exp"] = c.t.Add(-time.Minute).Unix() })),
		"no exp":                  sign(key, iss.KeyID(), claims(func(m jwt.MapClaims) { delete(m, "exp") })),
		"not yet valid":           sign(key, iss.KeyID(), claims(func(m jwt.MapClaims) { m["nbf"] = c.t.Add(time.Minute).Unix() })),
		"issued in future":        sign(key, iss.KeyID(), claims(func(m jwt.MapClaims) { m["iat"] = c.t.Add(time.Hour).Unix() })),
		"wrong issuer":            sign(key, iss.KeyID(), claims(func(m jwt.MapClaims) { m["iss"] = "evil" })),
		"wrong audience":          sign(key, iss.KeyID(), claims(func(m jwt.MapClaims) { m["aud"] = []string{"other"} })),
		"unknown role":            sign(key, iss.KeyID(), claims(func(m jwt.MapClaims) { m["role"] = "root" })),
		"no org":                  sign(key, iss.KeyID(), claims(func(m jwt.MapClaims) { delete(m, "org") })),
		"no subject":              sign(key, iss.KeyID(), claims(func(m jwt.MapClaims) { delete(m, "sub") })),
		"org of wrong type":       sign(key, iss.KeyID(), claims(func(m jwt.MapClaims) { m["org"] = 7 })),
	}
	for name, tok := range attacks {
		t.Run(name, func(t *testing.T) {
			if c, err := iss.Verify(tok); !errors.Is(err, omnify.ErrUnauthorized) {
				t.Errorf("Verify = %+v, %v; want ErrUnauthorized", c, err)
			}
		})
	}
	// The crafted claims themselves are fine: signed properly they pass,
	// so each rejection above is due to the one thing changed.
	if _, err := iss.Verify(sign(key, iss.KeyID(), claims(nil))); err != nil {
		t.Fatalf("control token rejected: %v", err)
	}
}

func TestVerifyExpiry(t *testing.T) {
	iss, _, c := newIssuer(t)
	tok, _, err := iss.Issue("user-1", "org-1", omnify.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(15*time.Minute + 2*time.Second) // within leeway
	if _, err := iss.Verify(tok); err != nil {
		t.Errorf("token 2s past expiry (within leeway) rejected: %v", err)
	}
	c.t = c.t.Add(10 * time.Second)
	if _, err := iss.Verify(tok); !errors.Is(err, omnify.ErrUnauthorized) {
		t.Errorf("token 12s past expiry: err = %v, want ErrUnauthorized", err)
	}
}

func TestVerifyOtherIssuerKey(t *testing.T) {
	a, _, _ := newIssuer(t)
	b, _, _ := newIssuer(t)
	tok, _, err := a.Issue("user-1", "org-1", omnify.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Verify(tok); !errors.Is(err, omnify.ErrUnauthorized) {
		t.Errorf("token of another key: err = %v, want ErrUnauthorized", err)
	}
}

func decodeSegment(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encodeSegment(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
