package syncer

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/oauth2"
)

// SaveToken stores an OAuth token a connector obtained by refreshing into
// its connection's credentials, sealed like the rest. Platforms that
// rotate refresh tokens on every use (HighLevel) invalidate the old one, so
// a token not saved would disconnect the connection at the next start.
// Connectors call it through their refresh hooks, which know only the
// connection ID.
func (s *Syncer) SaveToken(ctx context.Context, connectionID string, tok *oauth2.Token) error {
	if tok == nil || tok.AccessToken == "" {
		return nil
	}
	conn, err := s.cfg.Store.FindConnection(ctx, connectionID)
	if err != nil {
		return fmt.Errorf("save refreshed token of %s: %w", connectionID, err)
	}
	creds, err := s.open(conn)
	if err != nil {
		return fmt.Errorf("save refreshed token of %s: %w", connectionID, err)
	}
	creds["access_token"] = tok.AccessToken
	if tok.RefreshToken != "" {
		creds["refresh_token"] = tok.RefreshToken
	}
	if !tok.Expiry.IsZero() {
		creds["expires_at"] = tok.Expiry.UTC().Format(time.RFC3339)
	}
	if conn.CredentialsCiphertext, err = s.seal(conn, creds); err != nil {
		return fmt.Errorf("save refreshed token of %s: %w", connectionID, err)
	}
	conn.UpdatedAt = s.now()
	if err := s.cfg.Store.UpdateConnection(ctx, conn); err != nil {
		return fmt.Errorf("save refreshed token of %s: %w", connectionID, err)
	}
	return nil
}
