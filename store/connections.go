package store

import (
	"context"
	"time"

	"github.com/omnify-cloud/omnify"
)

// ConnectionStore persists platform connections and the saved read state of
// their streams.
type ConnectionStore interface {
	// CreateConnection stores c, assigning an ID and times when empty.
	CreateConnection(ctx context.Context, c *omnify.Connection) error
	GetConnection(ctx context.Context, orgID, id string) (*omnify.Connection, error)
	// FindConnection returns a connection by ID whatever its org. Only
	// callers that authenticate by other means use it: a vendor webhook,
	// whose signature is checked with the connection's own secret.
	FindConnection(ctx context.Context, id string) (*omnify.Connection, error)
	// ListConnections lists an org's connections, oldest first.
	ListConnections(ctx context.Context, orgID string, p Page) (cs []omnify.Connection, next string, err error)
	// UpdateConnection replaces a connection's name, credentials, config and
	// schedule.
	UpdateConnection(ctx context.Context, c *omnify.Connection) error
	// SetConnectionHealth writes only the health fields of c: Health,
	// LastError, Failures, NextRetryAt, LastSyncAt and UpdatedAt.
	SetConnectionHealth(ctx context.Context, c *omnify.Connection) error
	// DeleteConnection removes a connection with its stream states and sync
	// runs.
	DeleteConnection(ctx context.Context, orgID, id string) error
	// ListConnectionsDue lists, across orgs, the connections whose schedule
	// is on and due at now (last sync at least ScheduleEvery ago, no retry
	// pending after now), excluding disconnected ones.
	ListConnectionsDue(ctx context.Context, now time.Time) ([]omnify.Connection, error)

	// ListStreamStates returns a connection's saved stream states.
	ListStreamStates(ctx context.Context, orgID, connectionID string) ([]omnify.StreamState, error)
	// SaveStreamState stores st when the stream's stored version is still
	// prevVersion (0: none stored yet) and sets st.Version to the new one.
	// A different stored version is ErrConflict: another writer moved on.
	// The connection must exist in the org (ErrNotFound).
	SaveStreamState(ctx context.Context, st *omnify.StreamState, prevVersion int64) error
	// ResetStreamState clears a stream's state (the next read starts from
	// the beginning) and bumps its version, so writers holding the old
	// version are refused. It returns the new version.
	ResetStreamState(ctx context.Context, orgID, connectionID, stream string, now time.Time) (int64, error)
}

// SyncRunStore persists sync runs.
type SyncRunStore interface {
	// CreateSyncRun stores r, assigning an ID and creation time when empty;
	// an ID already used is ErrConflict. The connection must exist in the
	// org (ErrNotFound).
	CreateSyncRun(ctx context.Context, r *omnify.SyncRun) error
	// UpdateSyncRun writes status, progress, error, start and finish times.
	// A finished run (succeeded or dead) is immutable: ErrConflict.
	UpdateSyncRun(ctx context.Context, r *omnify.SyncRun) error
	GetSyncRun(ctx context.Context, orgID, id string) (*omnify.SyncRun, error)
	// ListSyncRuns lists a connection's runs, newest first.
	ListSyncRuns(ctx context.Context, orgID, connectionID string, p Page) (rs []omnify.SyncRun, next string, err error)
}
