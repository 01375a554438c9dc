package syncer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify"
)

// UpdateInput changes a connection; nil fields stay as they are. New
// credentials replace the old ones as a whole and are checked with the
// platform like a new connection's, which is how a disconnected connection
// is reconnected without losing its sync state.
type UpdateInput struct {
	Name          *string
	Credentials   map[string]any
	Config        map[string]any
	ScheduleEvery *time.Duration
}

// Update applies in to a connection of the org.
func (s *Syncer) Update(ctx context.Context, orgID, connectionID string, in UpdateInput) (*omnify.Connection, error) {
	conn, err := s.cfg.Store.GetConnection(ctx, orgID, connectionID)
	if err != nil {
		return nil, fmt.Errorf("update connection: %w", err)
	}
	if in.Name != nil && strings.TrimSpace(*in.Name) != "" {
		conn.Name = strings.TrimSpace(*in.Name)
	}
	if in.ScheduleEvery != nil {
		conn.ScheduleEvery = *in.ScheduleEvery
	}
	if in.Credentials != nil || in.Config != nil {
		if err := s.recheck(ctx, conn, in); err != nil {
			return nil, err
		}
	}
	conn.UpdatedAt = s.now()
	if err := s.cfg.Store.UpdateConnection(ctx, conn); err != nil {
		return nil, fmt.Errorf("update connection: %w", err)
	}
	if err := s.cfg.Store.SetConnectionHealth(ctx, conn); err != nil {
		return nil, fmt.Errorf("update connection: %w", err)
	}
	return conn, nil
}

// recheck validates and checks the new settings (the stored ones where
// only one half changes) and resets the health from the check.
func (s *Syncer) recheck(ctx context.Context, conn *omnify.Connection, in UpdateInput) error {
	c, ok := s.connector(conn.Platform)
	if !ok {
		return fmt.Errorf("platform %s is not available on this server: %w", conn.Platform, omnify.ErrUnavailable)
	}
	spec := c.Spec()
	creds, err := s.open(conn)
	if err != nil {
		return err
	}
	if in.Credentials != nil {
		if creds, err = validateObject(spec.Credentials, in.Credentials, "body.credentials"); err != nil {
			return err
		}
	}
	if in.Config != nil {
		if conn.Config, err = validateObject(spec.Config, in.Config, "body.config"); err != nil {
			return err
		}
	}
	conn.Health, conn.LastError, conn.Failures, conn.NextRetryAt = omnify.HealthHealthy, "", 0, time.Time{}
	if err := s.check(ctx, c, conn, creds); err != nil {
		return err
	}
	conn.CredentialsCiphertext, err = s.seal(conn, creds)
	return err
}
