package syncer_test

import (
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector/fake"
)

func TestSaveTokenRotatesStoredCredentials(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.New(1, 1, 1))
	conn := e.connect()
	exp := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
	if err := e.s.SaveToken(t.Context(), conn.ID, &oauth2.Token{AccessToken: "tok_rotated1", RefreshToken: "rt-2", Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	_, creds, err := e.s.Credentials(t.Context(), orgID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if creds["access_token"] != "tok_rotated1" || creds["refresh_token"] != "rt-2" || creds["expires_at"] != "2026-12-01T10:30:00Z" {
		t.Errorf("credentials after refresh = %v", creds)
	}
	// The connection keeps everything else.
	got := e.connection(conn.ID)
	if got.Name != conn.Name || got.Platform != conn.Platform || got.Health != omnify.HealthHealthy {
		t.Errorf("connection changed beyond its credentials: %+v", got)
	}
	// A token without a new refresh token keeps the stored one.
	if err := e.s.SaveToken(t.Context(), conn.ID, &oauth2.Token{AccessToken: "tok_rotated2"}); err != nil {
		t.Fatal(err)
	}
	_, creds, _ = e.s.Credentials(t.Context(), orgID, conn.ID)
	if creds["access_token"] != "tok_rotated2" || creds["refresh_token"] != "rt-2" {
		t.Errorf("credentials after second refresh = %v", creds)
	}
	if err := e.s.SaveToken(t.Context(), "no-such-connection", &oauth2.Token{AccessToken: "x"}); err == nil {
		t.Error("saving a token of an unknown connection succeeded")
	}
}
