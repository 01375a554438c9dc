package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/connector/shopify"
	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
	"github.com/omnify-cloud/omnify/omnifytest"
	"github.com/omnify-cloud/omnify/store"
)

const clientSecret = "shpss_omnify_test"

func newOAuthServer(t *testing.T) (*omnifytest.Server, *shopifytest.Server) {
	t.Helper()
	shop := shopifytest.NewServer(t, shopifytest.Options{Customers: 5, Orders: 5, Products: 2,
		ClientID: "omnify-app", ClientSecret: clientSecret, Code: "code-123"})
	app := &shopify.App{ClientID: "omnify-app", ClientSecret: clientSecret,
		RedirectURI: "https://omnify.example.com/v1/oauth/shopify/callback", BaseURL: shop.URL}
	srv := omnifytest.NewServer(t,
		omnifytest.WithConnectorsAt(nil, map[string]string{"shopify": shop.URL}, shopify.New()),
		omnifytest.WithDeps(func(d *api.Deps) {
			d.OAuth = map[string]api.OAuthProvider{"shopify": app}
			d.OAuthStateKey = []byte(strings.Repeat("k", 32))
		}))
	return srv, shop
}

// callback builds the redirect Shopify sends after the merchant approves.
func callback(state, code string, now time.Time, secret string) url.Values {
	q := url.Values{"code": {code}, "shop": {shopifytest.Shop}, "state": {state},
		"timestamp": {strconv.FormatInt(now.Unix(), 10)}, "host": {"YWRtaW4uc2hvcGlmeS5jb20"}}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(shopify.CallbackMessage(q)))
	q.Set("hmac", hex.EncodeToString(mac.Sum(nil)))
	return q
}

func startInstall(t *testing.T, srv *omnifytest.Server, token string) string {
	t.Helper()
	var out struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	if code := srv.DoJSON(t, "GET", "/v1/oauth/shopify/start?shop="+shopifytest.Shop, token, nil, &out); code != 200 {
		t.Fatalf("start: %d", code)
	}
	u, err := url.Parse(out.AuthorizeURL)
	if err != nil || u.Host != shopifytest.Shop || u.Query().Get("state") == "" {
		t.Fatalf("authorize URL %q", out.AuthorizeURL)
	}
	return u.Query().Get("state")
}

func TestOAuthInstall(t *testing.T) {
	srv, _ := newOAuthServer(t)
	owner := srv.Register(t, "ana@example.com", "Acme")
	state := startInstall(t, srv, owner.Token)

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(srv.URL + "/v1/oauth/shopify/callback?" + callback(state, "code-123", srv.Clock.Now(), clientSecret).Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/connections?connected=") {
		t.Fatalf("callback: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	cs, _, err := srv.Store.ListConnections(t.Context(), owner.OrgID, store.Page{})
	if err != nil || len(cs) != 1 || cs[0].Platform != "shopify" {
		t.Fatalf("connections after install: %+v (%v)", cs, err)
	}
}

func TestOAuthCallbackRefusals(t *testing.T) {
	srv, _ := newOAuthServer(t)
	owner := srv.Register(t, "ana@example.com", "Acme")
	viewer := srv.Register(t, "vic@example.com", "Other")
	state := startInstall(t, srv, owner.Token)
	now := srv.Clock.Now()
	tests := []struct {
		name  string
		query url.Values
	}{
		{"forged hmac", callback(state, "code-123", now, "not-the-secret")},
		{"tampered state", callback(state[:len(state)-2]+"xx", "code-123", now, clientSecret)},
		{"stale timestamp", callback(state, "code-123", now.Add(-time.Hour), clientSecret)},
		{"no state", callback("", "code-123", now, clientSecret)},
	}
	for _, tt := range tests {
		resp := srv.Do(t, "GET", "/v1/oauth/shopify/callback?"+tt.query.Encode(), "", nil)
		body := readAll(t, resp)
		if resp.StatusCode != 401 {
			t.Errorf("%s: %d %s, want 401", tt.name, resp.StatusCode, body)
		}
	}
	if code := srv.DoJSON(t, "GET", "/v1/oauth/stripe/start", owner.Token, nil, nil); code != 404 {
		t.Fatalf("start for a platform without an OAuth app: %d, want 404", code)
	}
	// The state expires.
	srv.Clock.Advance(time.Hour)
	resp := srv.Do(t, "GET", "/v1/oauth/shopify/callback?"+callback(state, "code-123", srv.Clock.Now(), clientSecret).Encode(), "", nil)
	if body := readAll(t, resp); resp.StatusCode != 401 || !strings.Contains(body, "expired") {
		t.Errorf("expired state: %d %s", resp.StatusCode, body)
	}
	if cs, _, _ := srv.Store.ListConnections(t.Context(), owner.OrgID, store.Page{}); len(cs) != 0 {
		t.Fatalf("a refused callback connected %d platforms", len(cs))
	}
	// Another org's admin cannot use the flow to land a connection in Acme.
	if cs, _, _ := srv.Store.ListConnections(t.Context(), viewer.OrgID, store.Page{}); len(cs) != 0 {
		t.Fatal("connection landed in the wrong org")
	}
}
