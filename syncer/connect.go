package syncer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
)

// ConnectInput is a new connection as the API receives it.
type ConnectInput struct {
	Platform    string
	Name        string // default: the platform's display name
	Credentials map[string]any
	Config      map[string]any
	// ScheduleEvery is the interval of scheduled syncs; 0 turns them off.
	ScheduleEvery time.Duration
}

// Connect validates the credentials and config against the platform's
// Spec, checks them with the platform and stores the connection with its
// credentials encrypted. Invalid input and refused credentials are
// FieldErrors naming the field; a platform that fails transiently still
// gets its connection, marked degraded with the reason.
func (s *Syncer) Connect(ctx context.Context, orgID string, in ConnectInput) (*omnify.Connection, error) {
	c, ok := s.connector(in.Platform)
	if !ok {
		return nil, omnify.Invalid("body.platform", "unknown platform %q; GET /v1/platforms lists them", in.Platform)
	}
	spec := c.Spec()
	creds, err := validateObject(spec.Credentials, in.Credentials, "body.credentials")
	if err != nil {
		return nil, err
	}
	cfg, err := validateObject(spec.Config, in.Config, "body.config")
	if err != nil {
		return nil, err
	}
	now := s.now()
	conn := &omnify.Connection{ID: newID(), OrgID: orgID, Platform: in.Platform, Name: strings.TrimSpace(in.Name),
		Config: cfg, Health: omnify.HealthHealthy, ScheduleEvery: in.ScheduleEvery, CreatedAt: now, UpdatedAt: now}
	if conn.Name == "" {
		conn.Name = spec.DisplayName
	}
	if err := s.check(ctx, c, conn, creds); err != nil {
		return nil, err
	}
	if conn.CredentialsCiphertext, err = s.seal(conn, creds); err != nil {
		return nil, err
	}
	if err := s.cfg.Store.CreateConnection(ctx, conn); err != nil {
		return nil, fmt.Errorf("connect %s: %w", in.Platform, err)
	}
	return conn, nil
}

// check runs the connector's Check: refused credentials or settings are
// the caller's to fix; any other failure marks the connection degraded.
func (s *Syncer) check(ctx context.Context, c connector.Connector, conn *omnify.Connection, creds map[string]string) error {
	cctx, cancel := context.WithTimeout(ctx, s.cfg.CheckTimeout)
	defer cancel()
	err := c.Check(cctx, s.connection(conn, creds))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, connector.ErrAuth):
		return omnify.Invalid("body.credentials", "the platform refused these credentials")
	case errors.Is(err, connector.ErrInvalidConfig):
		return omnify.Invalid("body.config", "the platform refused these settings")
	case ctx.Err() != nil:
		return ctx.Err()
	}
	conn.Health, conn.Failures = omnify.HealthDegraded, 1
	conn.LastError = "checking the connection failed: " + plainError(err, creds)
	conn.NextRetryAt = s.now().Add(s.cfg.RetryDelay(1))
	return nil
}

// connection is what a connector gets to talk to the account.
func (s *Syncer) connection(conn *omnify.Connection, creds map[string]string) connector.Connection {
	return connector.Connection{ID: conn.ID, OrgID: conn.OrgID, Credentials: creds, Config: conn.Config,
		HTTP: s.cfg.HTTP, BaseURL: s.cfg.BaseURLs[conn.Platform]}
}

// aad binds a ciphertext to its connection, so credentials copied onto
// another connection or org do not decrypt.
func aad(conn *omnify.Connection) []byte {
	return []byte("omnify/connection/v1/" + conn.OrgID + "/" + conn.ID)
}

func (s *Syncer) seal(conn *omnify.Connection, creds map[string]string) ([]byte, error) {
	plain, err := json.Marshal(creds)
	if err != nil {
		return nil, fmt.Errorf("encode credentials: %w", err)
	}
	ct, err := s.cfg.Box.Seal(plain, aad(conn))
	if err != nil {
		return nil, fmt.Errorf("encrypt credentials: %w", err)
	}
	return ct, nil
}

func (s *Syncer) open(conn *omnify.Connection) (map[string]string, error) {
	plain, err := s.cfg.Box.Open(conn.CredentialsCiphertext, aad(conn))
	if err != nil {
		return nil, fmt.Errorf("decrypt credentials of connection %s: %w", conn.ID, err)
	}
	var creds map[string]string
	if err := json.Unmarshal(plain, &creds); err != nil {
		return nil, fmt.Errorf("decode credentials of connection %s: %w", conn.ID, err)
	}
	return creds, nil
}

// plainError is an error's text fit for users and logs: credential values
// are masked, in case a vendor or connector echoed one, and long text is
// cut.
func plainError(err error, creds map[string]string) string {
	msg := err.Error()
	var bo *connector.BackOffError
	if errors.As(err, &bo) && bo.Reason != "" {
		msg = bo.Reason
	}
	msg = redact(msg, creds)
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return msg
}

func redact(msg string, creds map[string]string) string {
	for _, v := range creds {
		if len(v) >= 4 {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	return msg
}

// Secrets lists the credential fields a platform's Spec marks secret.
func Secrets(spec connector.Spec) []string { return secretFields(spec.Credentials) }

// Credentials returns a connection with its decrypted credentials, for
// webhook handlers that verify a platform's signature with a secret of the
// connection (their URL names the org and the connection). Never return
// the credentials to a client or log them.
func (s *Syncer) Credentials(ctx context.Context, orgID, connectionID string) (*omnify.Connection, map[string]string, error) {
	conn, err := s.cfg.Store.GetConnection(ctx, orgID, connectionID)
	if err != nil {
		return nil, nil, fmt.Errorf("connection credentials: %w", err)
	}
	creds, err := s.open(conn)
	if err != nil {
		return nil, nil, err
	}
	return conn, creds, nil
}
