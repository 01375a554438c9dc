package hubspot_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
)

func TestOAuthRefresh(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// expired: the access token is dead at HubSpot; knownExpiry: the
		// credentials say when it expires, so no request is wasted on it.
		expired, knownExpiry bool
		revoke               bool
		wantRefreshes        int
		wantErr              error
	}{
		{name: "live token", wantRefreshes: 0},
		{name: "refused as expired, then refreshed", expired: true, wantRefreshes: 1},
		{name: "known to be expired, refreshed first", expired: true, knownExpiry: true, wantRefreshes: 1},
		{name: "refresh token revoked", expired: true, revoke: true, wantErr: connector.ErrAuth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 30, Seed: 8, IntervalMax: 100000})
			conn := oauthConn(srv, tc.expired)
			conn.ID = "conn-oauth"
			if tc.knownExpiry {
				conn.Credentials["expires_at"] = time.Now().Add(-time.Minute).Format(time.RFC3339)
			}
			if tc.revoke {
				srv.RevokeRefreshToken(conn.Credentials["refresh_token"])
			}
			var mu sync.Mutex
			var seen []*oauth2.Token
			c := hubspot.New(hubspot.WithTokenRefreshed(func(id string, tok *oauth2.Token) {
				mu.Lock()
				defer mu.Unlock()
				if id != conn.ID {
					t.Errorf("refresh reported for connection %q", id)
				}
				seen = append(seen, tok)
			}))
			before := srv.Stats()
			e := &collector{}
			err := c.Read(context.Background(), conn, hubspot.StreamContacts, nil, e)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("read = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(e.records) != 30 {
				t.Fatalf("read: %v, %d records", err, len(e.records))
			}
			after := srv.Stats()
			if got := after.Refreshes - before.Refreshes; got != tc.wantRefreshes || len(seen) != tc.wantRefreshes {
				t.Fatalf("%d refreshes (%d reported), want %d", got, len(seen), tc.wantRefreshes)
			}
			// 30 contacts: one page, plus the refused request when HubSpot
			// had to say the token expired.
			wantReqs := 1
			if tc.expired && !tc.knownExpiry {
				wantReqs = 2
			}
			if got := after.Requests - before.Requests; got != wantReqs {
				t.Errorf("%d API requests, want %d", got, wantReqs)
			}
			if tc.wantRefreshes > 0 {
				tok := c.Token(conn.ID)
				if tok == nil || tok.AccessToken == conn.Credentials["access_token"] || tok.AccessToken != seen[0].AccessToken {
					t.Fatalf("kept token %+v", tok)
				}
				// The next read uses the kept token: no refresh, no refusal.
				if err := c.Check(context.Background(), conn); err != nil {
					t.Fatal(err)
				}
				if got := srv.Stats(); got.Refreshes != after.Refreshes || got.Requests != after.Requests+1 {
					t.Errorf("second call refreshed again or was refused: %+v", got)
				}
			}
		})
	}
}

func TestCredentialsChecked(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 1})
	for name, creds := range map[string]map[string]string{
		"no access token":        {"client_secret": "x"},
		"refresh without client": {"access_token": "a", "refresh_token": "r"},
		"expiry not RFC 3339":    {"access_token": "a", "refresh_token": "r", "client_id": "i", "client_secret": "s", "expires_at": "tomorrow"},
	} {
		conn := srv.Connection()
		conn.Credentials = creds
		if err := hubspot.New().Check(context.Background(), conn); !errors.Is(err, connector.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
}
