package shopify_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
)

func TestAuthorizeURL(t *testing.T) {
	t.Parallel()
	u, err := shopify.AuthorizeURL("acme.myshopify.com", "client-1", "https://omnify.example/oauth/shopify", shopify.Scopes, "nonce-1")
	if err != nil {
		t.Fatal(err)
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.Host != "acme.myshopify.com" || p.Path != "/admin/oauth/authorize" {
		t.Fatalf("authorize URL %s", u)
	}
	q := p.Query()
	if q.Get("client_id") != "client-1" || q.Get("state") != "nonce-1" || q.Get("scope") != strings.Join(shopify.Scopes, ",") {
		t.Fatalf("query %v", q)
	}
	for _, shop := range []string{"evil.com", "acme.myshopify.com.evil.com", "https://acme.myshopify.com"} {
		if _, err := shopify.AuthorizeURL(shop, "c", "https://x", nil, "s"); err == nil {
			t.Errorf("shop %q accepted", shop)
		}
	}
	if _, err := shopify.AuthorizeURL("acme.myshopify.com", "c", "https://x", nil, ""); err == nil {
		t.Error("empty state accepted")
	}
}

func TestVerifyCallback(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	// Signed the way Shopify documents it, written out by hand.
	sign := func(msg string) string {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(msg))
		return hex.EncodeToString(mac.Sum(nil))
	}
	ts := strconv.FormatInt(now.Unix()-30, 10)
	good := url.Values{
		"code": {"0907a61c0c8d55e99db179b68161bc00"}, "shop": {"acme.myshopify.com"},
		"state": {"nonce-123"}, "timestamp": {ts}, "host": {"YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ"},
	}
	good.Set("hmac", sign("code=0907a61c0c8d55e99db179b68161bc00&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvYWNtZQ&shop=acme.myshopify.com&state=nonce-123&timestamp="+ts))
	with := func(k, v string) url.Values {
		q := url.Values{}
		for key, vals := range good {
			q[key] = append([]string(nil), vals...)
		}
		q.Set(k, v)
		return q
	}
	cases := []struct {
		name  string
		q     url.Values
		state string
		ok    bool
	}{
		{"valid", good, "nonce-123", true},
		{"tampered code", with("code", "attacker"), "nonce-123", false},
		{"tampered shop", with("shop", "evil.myshopify.com"), "nonce-123", false},
		{"wrong state", good, "nonce-999", false},
		{"no expected state", good, "", false},
		{"missing hmac", with("hmac", ""), "nonce-123", false},
		{"extra parameter", with("admin", "1"), "nonce-123", false},
	}
	for _, tc := range cases {
		err := shopify.VerifyCallback(tc.q, secret, tc.state, now)
		if tc.ok != (err == nil) {
			t.Errorf("%s: err %v", tc.name, err)
		}
		if err != nil && !errors.Is(err, shopify.ErrSignature) {
			t.Errorf("%s: %v does not wrap ErrSignature", tc.name, err)
		}
	}
	if err := shopify.VerifyCallback(good, secret, "nonce-123", now.Add(10*time.Minute)); err == nil {
		t.Error("stale callback accepted")
	}
	// A signed callback for a domain outside myshopify.com is refused too.
	bad := url.Values{"shop": {"evil.com"}, "state": {"s"}, "timestamp": {ts}}
	bad.Set("hmac", sign("shop=evil.com&state=s&timestamp="+ts))
	if err := shopify.VerifyCallback(bad, secret, "s", now); err == nil {
		t.Error("callback for evil.com accepted")
	}
	esc := url.Values{"a&b": {"1%2"}, "k=v": {"x"}}
	if got, want := shopify.CallbackMessage(esc), "a%26b=1%252&k%3Dv=x"; got != want {
		t.Errorf("escaped message %q, want %q", got, want)
	}
}

func TestExchangeCode(t *testing.T) {
	t.Parallel()
	srv := shopifytest.NewServer(t, shopifytest.Options{ClientID: "client-1", ClientSecret: secret, Code: "code-1", Token: "shpat_installed"})
	conn := srv.Connection()
	tok, scope, err := shopify.ExchangeCode(context.Background(), conn.HTTP, srv.URL, shopifytest.Shop, "client-1", secret, "code-1")
	if err != nil || tok != "shpat_installed" || !strings.Contains(scope, "read_orders") {
		t.Fatalf("exchange: %q %q %v", tok, scope, err)
	}
	if _, _, err := shopify.ExchangeCode(context.Background(), conn.HTTP, srv.URL, shopifytest.Shop, "client-1", secret, "reused"); err == nil {
		t.Fatal("a wrong code was exchanged")
	}
	if _, _, err := shopify.ExchangeCode(context.Background(), conn.HTTP, srv.URL, "evil.com", "client-1", secret, "code-1"); err == nil {
		t.Fatal("exchange for evil.com")
	}
}
