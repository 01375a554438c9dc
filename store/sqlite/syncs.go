package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const syncCols = `id, org_id, connection_id, job_id, mode, streams, trigger, status, progress, error,
	created_at, started_at, finished_at`

// CreateSyncRun stores r, assigning an ID, creation time and queued status
// when they are empty.
func (db *DB) CreateSyncRun(ctx context.Context, r *omnify.SyncRun) error {
	n := *r
	if n.ID == "" {
		n.ID = newID()
	}
	if n.Status == "" {
		n.Status = omnify.JobQueued
	}
	n.CreatedAt = db.stamp(n.CreatedAt)
	progress, err := progressJSON(n.Progress)
	if err != nil {
		return fmt.Errorf("create sync run: %w", err)
	}
	_, err = db.write.ExecContext(ctx, `INSERT INTO sync_runs (`+syncCols+`) VALUES (`+placeholders(13)+`)`,
		n.ID, n.OrgID, n.ConnectionID, n.JobID, string(n.Mode), stringsJSON(n.Streams), n.Trigger, string(n.Status),
		progress, n.Error, micro(n.CreatedAt), micro(n.StartedAt), nullMicro(n.FinishedAt))
	if err != nil {
		return wrap("create sync run", err)
	}
	*r = n
	return nil
}

func progressJSON(p map[string]omnify.StreamProgress) (sql.NullString, error) {
	if len(p) == 0 {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("encode progress: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// UpdateSyncRun updates a run that has not finished.
func (db *DB) UpdateSyncRun(ctx context.Context, r *omnify.SyncRun) error {
	progress, err := progressJSON(r.Progress)
	if err != nil {
		return fmt.Errorf("update sync run: %w", err)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE sync_runs SET status = ?, progress = ?, error = ?, started_at = ?,
		finished_at = ? WHERE org_id = ? AND id = ? AND status NOT IN ('succeeded', 'dead')`,
		string(r.Status), progress, r.Error, micro(r.StartedAt), nullMicro(r.FinishedAt), r.OrgID, r.ID)
	if err := mustAffect(res, err); !errors.Is(err, omnify.ErrNotFound) {
		return wrap("update sync run", err)
	}
	if _, err := db.GetSyncRun(ctx, r.OrgID, r.ID); err != nil {
		return fmt.Errorf("update sync run: %w", err)
	}
	return fmt.Errorf("update sync run: run has finished: %w", omnify.ErrConflict)
}

// GetSyncRun returns one run of the org.
func (db *DB) GetSyncRun(ctx context.Context, orgID, id string) (*omnify.SyncRun, error) {
	r, err := scanSyncRun(db.read.QueryRowContext(ctx, `SELECT `+syncCols+` FROM sync_runs WHERE org_id = ? AND id = ?`,
		orgID, id))
	if err != nil {
		return nil, wrap("get sync run", err)
	}
	return &r, nil
}

// ListSyncRuns lists a connection's runs, newest first.
func (db *DB) ListSyncRuns(ctx context.Context, orgID, connectionID string, p store.Page) ([]omnify.SyncRun, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list sync runs: %w", err)
	}
	var w conds
	w.add("org_id = ? AND connection_id = ?", orgID, connectionID)
	if after {
		w.add("(created_at, id) < (?, ?)", c.T, c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+syncCols+` FROM sync_runs`+w.where()+
		` ORDER BY created_at DESC, id DESC LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list sync runs", err)
	}
	rs, next, err := collect(rows, p.Limit, scanSyncRun, func(r omnify.SyncRun) cursor {
		return cursor{T: micro(r.CreatedAt), S: r.ID}
	})
	return rs, next, wrap("list sync runs", err)
}

func scanSyncRun(row scanner) (omnify.SyncRun, error) {
	var r omnify.SyncRun
	var mode, streams, status string
	var progress sql.NullString
	var created, started int64
	var finished sql.NullInt64
	err := row.Scan(&r.ID, &r.OrgID, &r.ConnectionID, &r.JobID, &mode, &streams, &r.Trigger, &status, &progress,
		&r.Error, &created, &started, &finished)
	if err != nil {
		return r, err
	}
	if r.Streams, err = fromStringsJSON(streams); err != nil {
		return r, err
	}
	if progress.Valid {
		if err := json.Unmarshal([]byte(progress.String), &r.Progress); err != nil {
			return r, fmt.Errorf("decode progress: %w", err)
		}
	}
	r.Mode, r.Status = omnify.SyncMode(mode), omnify.JobStatus(status)
	r.CreatedAt, r.StartedAt, r.FinishedAt = fromMicro(created), fromMicro(started), fromNullMicro(finished)
	return r, nil
}
