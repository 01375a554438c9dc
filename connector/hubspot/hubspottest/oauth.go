package hubspottest

import (
	"fmt"
	"net/http"
	"time"
)

// AccessTokenTTL is how long an OAuth access token lives (HubSpot: 30 min).
const AccessTokenTTL = 30 * time.Minute

type oauthState struct {
	access  map[string]time.Time // access token → expiry
	refresh map[string]bool      // refresh tokens issued and not revoked
	seq     int
}

func newOAuthState() *oauthState {
	return &oauthState{access: map[string]time.Time{}, refresh: map[string]bool{}}
}

// OAuthCredentials installs the app in the portal and returns connection
// credentials: an access token (already expired when expired is set), its
// refresh token and the app's client ID and secret.
func (s *Server) OAuthCredentials(expired bool) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.seq++
	access := fmt.Sprintf("CO-access-%d", s.oauth.seq)
	refresh := fmt.Sprintf("refresh-%d", s.oauth.seq)
	exp := s.o.Now().Add(AccessTokenTTL)
	if expired {
		exp = s.o.Now().Add(-5 * time.Minute)
	}
	s.oauth.access[access], s.oauth.refresh[refresh] = exp, true
	return map[string]string{"access_token": access, "refresh_token": refresh,
		"client_id": s.o.ClientID, "client_secret": s.o.ClientSecret}
}

// RevokeRefreshToken makes a refresh token unusable, as uninstalling the
// app does.
func (s *Server) RevokeRefreshToken(refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.oauth.refresh, refresh)
}

// token is POST /oauth/v1/token with the refresh_token grant, its
// parameters form-encoded in the body.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.oauthFail(w, "BAD_REQUEST", "invalid form body")
		return
	}
	f := r.PostForm
	switch {
	case f.Get("grant_type") != "refresh_token":
		s.oauthFail(w, "BAD_GRANT_TYPE", "grant_type must be refresh_token")
		return
	case f.Get("client_id") != s.o.ClientID:
		s.oauthFail(w, "BAD_CLIENT_ID", "missing or unknown client id")
		return
	case f.Get("client_secret") != s.o.ClientSecret:
		s.oauthFail(w, "BAD_CLIENT_SECRET", "missing or invalid client secret")
		return
	}
	s.mu.Lock()
	ok := s.oauth.refresh[f.Get("refresh_token")]
	var access string
	if ok {
		s.oauth.seq++
		access = fmt.Sprintf("CO-access-%d", s.oauth.seq)
		s.oauth.access[access] = s.o.Now().Add(AccessTokenTTL)
		s.stats.Refreshes++
	}
	s.mu.Unlock()
	if !ok {
		s.oauthFail(w, "BAD_REFRESH_TOKEN", "missing or unknown refresh token")
		return
	}
	s.write(w, http.StatusOK, map[string]any{"token_type": "bearer", "refresh_token": f.Get("refresh_token"),
		"access_token": access, "expires_in": int(AccessTokenTTL.Seconds())})
}

func (s *Server) oauthFail(w http.ResponseWriter, status, msg string) {
	s.write(w, http.StatusBadRequest, map[string]string{"status": status, "message": msg, "correlationId": s.correlation()})
}
