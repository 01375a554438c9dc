package gohighlevel_test

import (
	"errors"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
)

// An expired OAuth token is refused with 401; the connector refreshes it
// through /oauth/token, retries, reports the rotated pair, and keeps using
// the new token without refreshing again.
func TestOAuthRefreshOnExpiredToken(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 30, Seed: 21})
	c := gohighlevel.New()
	var mu sync.Mutex
	var got []*oauth2.Token
	c.OnTokenRefresh = func(connID string, tok *oauth2.Token) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, tok)
	}
	conn := srv.OAuthConnection(true)
	first := conn.Credentials["refresh_token"]
	for range 3 {
		if err := c.Read(t.Context(), conn, gohighlevel.StreamContacts, nil, &collector{}); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Stats().Refreshes; n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	if len(got) != 1 || got[0].RefreshToken == first || got[0].RefreshToken != srv.RefreshToken() {
		t.Fatalf("rotated tokens reported: %+v (server holds %s)", got, srv.RefreshToken())
	}
}

func TestOAuthRefusedRefreshIsErrAuth(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Seed: 22})
	conn := srv.OAuthConnection(true)
	conn.Credentials["refresh_token"] = "refresh-revoked"
	err := gohighlevel.New().Check(t.Context(), conn)
	if !errors.Is(err, connector.ErrAuth) {
		t.Fatalf("revoked refresh token: %v", err)
	}
}

// A token whose expires_at has passed is refreshed before the first call,
// without a refused request first.
func TestOAuthRefreshBeforeExpiry(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Seed: 23})
	conn := srv.OAuthConnection(true)
	conn.Credentials["expires_at"] = "2020-01-01T00:00:00Z"
	if err := gohighlevel.New().Check(t.Context(), conn); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.Refreshes != 1 || st.Requests != 1 {
		t.Fatalf("%d refreshes and %d API requests, want 1 and 1", st.Refreshes, st.Requests)
	}
}

func TestInvalidConnection(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Seed: 24})
	for name, edit := range map[string]func(map[string]string){
		"location with a slash": func(c map[string]string) { c["location_id"] = "loc/../x" },
		"no token":              func(c map[string]string) { delete(c, "access_token") },
	} {
		conn := srv.Connection()
		edit(conn.Credentials)
		if err := gohighlevel.New().Check(t.Context(), conn); !errors.Is(err, connector.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
}
