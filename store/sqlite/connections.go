package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const connCols = `id, org_id, platform, name, credentials, config, health, last_error, failures, next_retry_at,
	last_sync_at, schedule_every, created_at, updated_at`

// CreateConnection stores c, assigning an ID, times and healthy status when
// they are empty.
func (db *DB) CreateConnection(ctx context.Context, c *omnify.Connection) error {
	n := *c
	if n.ID == "" {
		n.ID = newID()
	}
	if n.Health == "" {
		n.Health = omnify.HealthHealthy
	}
	n.CreatedAt = db.stamp(n.CreatedAt)
	if n.UpdatedAt.IsZero() {
		n.UpdatedAt = n.CreatedAt
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO connections (`+connCols+`) VALUES (`+placeholders(14)+`)`,
		n.ID, n.OrgID, n.Platform, n.Name, nonNilBytes(n.CredentialsCiphertext), mapJSON(n.Config), string(n.Health),
		n.LastError, n.Failures, micro(n.NextRetryAt), micro(n.LastSyncAt), int64(n.ScheduleEvery),
		micro(n.CreatedAt), micro(n.UpdatedAt))
	if err != nil {
		return wrap("create connection", err)
	}
	*c = n
	return nil
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// GetConnection returns one connection of the org.
func (db *DB) GetConnection(ctx context.Context, orgID, id string) (*omnify.Connection, error) {
	c, err := scanConnection(db.read.QueryRowContext(ctx,
		`SELECT `+connCols+` FROM connections WHERE org_id = ? AND id = ?`, orgID, id))
	if err != nil {
		return nil, wrap("get connection", err)
	}
	return &c, nil
}

// FindConnection returns a connection by ID across orgs.
func (db *DB) FindConnection(ctx context.Context, id string) (*omnify.Connection, error) {
	c, err := scanConnection(db.read.QueryRowContext(ctx, `SELECT `+connCols+` FROM connections WHERE id = ?`, id))
	if err != nil {
		return nil, wrap("find connection", err)
	}
	return &c, nil
}

// ListConnections lists an org's connections, oldest first.
func (db *DB) ListConnections(ctx context.Context, orgID string, p store.Page) ([]omnify.Connection, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list connections: %w", err)
	}
	var w conds
	w.add("org_id = ?", orgID)
	if after {
		w.add("(created_at, id) > (?, ?)", c.T, c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+connCols+` FROM connections`+w.where()+
		` ORDER BY created_at, id LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list connections", err)
	}
	cs, next, err := collect(rows, p.Limit, scanConnection, func(c omnify.Connection) cursor {
		return cursor{T: micro(c.CreatedAt), S: c.ID}
	})
	return cs, next, wrap("list connections", err)
}

// UpdateConnection replaces name, credentials, config and schedule.
func (db *DB) UpdateConnection(ctx context.Context, c *omnify.Connection) error {
	c.UpdatedAt = db.stamp(c.UpdatedAt)
	res, err := db.write.ExecContext(ctx, `UPDATE connections SET name = ?, credentials = ?, config = ?,
		schedule_every = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		c.Name, nonNilBytes(c.CredentialsCiphertext), mapJSON(c.Config), int64(c.ScheduleEvery),
		micro(c.UpdatedAt), c.OrgID, c.ID)
	return wrap("update connection", mustAffect(res, err))
}

// SetConnectionHealth writes the health fields of c.
func (db *DB) SetConnectionHealth(ctx context.Context, c *omnify.Connection) error {
	c.UpdatedAt = db.stamp(c.UpdatedAt)
	res, err := db.write.ExecContext(ctx, `UPDATE connections SET health = ?, last_error = ?, failures = ?,
		next_retry_at = ?, last_sync_at = ?, updated_at = ? WHERE org_id = ? AND id = ?`,
		string(c.Health), c.LastError, c.Failures, micro(c.NextRetryAt), micro(c.LastSyncAt), micro(c.UpdatedAt),
		c.OrgID, c.ID)
	return wrap("set connection health", mustAffect(res, err))
}

// DeleteConnection removes a connection; its stream states and sync runs
// go with it through the foreign keys.
func (db *DB) DeleteConnection(ctx context.Context, orgID, id string) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM connections WHERE org_id = ? AND id = ?`, orgID, id)
	return wrap("delete connection", mustAffect(res, err))
}

// ListConnectionsDue lists the connections whose scheduled sync is due.
func (db *DB) ListConnectionsDue(ctx context.Context, now time.Time) ([]omnify.Connection, error) {
	n := micro(now)
	rows, err := db.read.QueryContext(ctx, `SELECT `+connCols+` FROM connections
		WHERE schedule_every > 0 AND health <> 'disconnected'
		AND last_sync_at + schedule_every / 1000 <= ? AND next_retry_at <= ?
		ORDER BY created_at, id`, n, n)
	if err != nil {
		return nil, wrap("list connections due", err)
	}
	cs, _, err := collect(rows, 1<<30, scanConnection, func(omnify.Connection) cursor { return cursor{} })
	return cs, wrap("list connections due", err)
}

func scanConnection(row scanner) (omnify.Connection, error) {
	var c omnify.Connection
	var health string
	var config sql.NullString
	var next, last, every, created, updated int64
	err := row.Scan(&c.ID, &c.OrgID, &c.Platform, &c.Name, &c.CredentialsCiphertext, &config, &health,
		&c.LastError, &c.Failures, &next, &last, &every, &created, &updated)
	if err != nil {
		return c, err
	}
	if c.Config, err = fromMapJSON(config); err != nil {
		return c, err
	}
	c.Health, c.ScheduleEvery = omnify.Health(health), time.Duration(every)
	c.NextRetryAt, c.LastSyncAt = fromMicro(next), fromMicro(last)
	c.CreatedAt, c.UpdatedAt = fromMicro(created), fromMicro(updated)
	return c, nil
}

// ListStreamStates returns a connection's stream states ordered by stream.
func (db *DB) ListStreamStates(ctx context.Context, orgID, connectionID string) ([]omnify.StreamState, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT org_id, connection_id, stream, state, version, updated_at
		FROM stream_states WHERE org_id = ? AND connection_id = ? ORDER BY stream`, orgID, connectionID)
	if err != nil {
		return nil, wrap("list stream states", err)
	}
	ss, _, err := collect(rows, 1<<30, scanStreamState, func(omnify.StreamState) cursor { return cursor{} })
	return ss, wrap("list stream states", err)
}

func scanStreamState(row scanner) (omnify.StreamState, error) {
	var s omnify.StreamState
	var state sql.NullString
	var updated int64
	if err := row.Scan(&s.OrgID, &s.ConnectionID, &s.Stream, &state, &s.Version, &updated); err != nil {
		return s, err
	}
	s.State, s.UpdatedAt = fromRawJSON(state), fromMicro(updated)
	return s, nil
}

// SaveStreamState stores st when the stored version is still prevVersion.
func (db *DB) SaveStreamState(ctx context.Context, st *omnify.StreamState, prevVersion int64) error {
	updated := db.stamp(st.UpdatedAt)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := streamVersion(ctx, tx, st.OrgID, st.ConnectionID, st.Stream)
		if err != nil {
			return err
		}
		if cur != prevVersion {
			return fmt.Errorf("stream %s is at version %d, not %d: %w", st.Stream, cur, prevVersion, omnify.ErrConflict)
		}
		return putStreamState(ctx, tx, st.OrgID, st.ConnectionID, st.Stream, rawJSON(st.State), cur+1, updated)
	})
	if err != nil {
		return wrap("save stream state", err)
	}
	st.Version, st.UpdatedAt = prevVersion+1, updated
	return nil
}

// ResetStreamState clears a stream's state and bumps its version.
func (db *DB) ResetStreamState(ctx context.Context, orgID, connectionID, stream string, now time.Time) (int64, error) {
	var v int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := streamVersion(ctx, tx, orgID, connectionID, stream)
		if err != nil {
			return err
		}
		v = cur + 1
		return putStreamState(ctx, tx, orgID, connectionID, stream, sql.NullString{}, v, db.stamp(now))
	})
	return v, wrap("reset stream state", err)
}

// streamVersion returns a stream's stored version, 0 when none is stored;
// a connection missing from the org is ErrNotFound.
func streamVersion(ctx context.Context, tx *sql.Tx, orgID, connID, stream string) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx, `SELECT version FROM stream_states
		WHERE org_id = ? AND connection_id = ? AND stream = ?`, orgID, connID, stream).Scan(&v)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return v, err
	}
	var n int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM connections WHERE org_id = ? AND id = ?`, orgID, connID).Scan(&n)
	if err == nil && n == 0 {
		err = fmt.Errorf("connection %s: %w", connID, omnify.ErrNotFound)
	}
	return 0, err
}

func putStreamState(ctx context.Context, tx *sql.Tx, orgID, connID, stream string, state sql.NullString, v int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO stream_states (org_id, connection_id, stream, state, version, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, connection_id, stream)
		DO UPDATE SET state = excluded.state, version = excluded.version, updated_at = excluded.updated_at`,
		orgID, connID, stream, state, v, micro(at))
	return err
}
