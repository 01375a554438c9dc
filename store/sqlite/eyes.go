package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const runCols = `id, org_id, version, job_id, status, as_of, report, error, created_by, created_at, finished_at`

// finished reports whether a run's status is final.
func finished(s omnify.JobStatus) bool {
	return s == omnify.JobSucceeded || s == omnify.JobFailed || s == omnify.JobDead
}

// CreateEyesRun stores r with the org's next version, assigning an ID,
// creation time and queued status when they are empty.
func (db *DB) CreateEyesRun(ctx context.Context, r *omnify.EyesRun) error {
	n := *r
	if n.ID == "" {
		n.ID = newID()
	}
	if n.Status == "" {
		n.Status = omnify.JobQueued
	}
	n.CreatedAt = db.stamp(n.CreatedAt)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM eyes_runs WHERE org_id = ?`,
			n.OrgID).Scan(&n.Version)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO eyes_runs (`+runCols+`) VALUES (`+placeholders(11)+`)`,
			n.ID, n.OrgID, n.Version, n.JobID, string(n.Status), micro(n.AsOf), rawJSON(n.Report), n.Error,
			n.CreatedBy, micro(n.CreatedAt), nullMicro(n.FinishedAt))
		return err
	})
	if err != nil {
		return wrap("create eyes run", err)
	}
	*r = n
	return nil
}

// UpdateEyesRun updates a run that has not finished; a finished run is
// ErrConflict.
func (db *DB) UpdateEyesRun(ctx context.Context, r *omnify.EyesRun) error {
	res, err := db.write.ExecContext(ctx, `UPDATE eyes_runs SET status = ?, report = ?, error = ?, finished_at = ?
		WHERE org_id = ? AND id = ? AND status NOT IN ('succeeded', 'failed', 'dead')`,
		string(r.Status), rawJSON(r.Report), r.Error, nullMicro(r.FinishedAt), r.OrgID, r.ID)
	if err := mustAffect(res, err); !errors.Is(err, omnify.ErrNotFound) {
		return wrap("update eyes run", err)
	}
	if _, err := db.GetEyesRun(ctx, r.OrgID, r.ID); err != nil {
		return fmt.Errorf("update eyes run: %w", err)
	}
	return fmt.Errorf("update eyes run: run has finished: %w", omnify.ErrConflict)
}

// GetEyesRun returns one run of the org.
func (db *DB) GetEyesRun(ctx context.Context, orgID, id string) (*omnify.EyesRun, error) {
	r, err := scanRun(db.read.QueryRowContext(ctx, `SELECT `+runCols+` FROM eyes_runs WHERE org_id = ? AND id = ?`, orgID, id))
	if err != nil {
		return nil, wrap("get eyes run", err)
	}
	return &r, nil
}

// LatestEyesRun returns the org's succeeded run with the highest version.
func (db *DB) LatestEyesRun(ctx context.Context, orgID string) (*omnify.EyesRun, error) {
	r, err := scanRun(db.read.QueryRowContext(ctx, `SELECT `+runCols+` FROM eyes_runs
		WHERE org_id = ? AND status = 'succeeded' ORDER BY version DESC LIMIT 1`, orgID))
	if err != nil {
		return nil, wrap("latest eyes run", err)
	}
	return &r, nil
}

// ListEyesRuns lists an org's runs, highest version first.
func (db *DB) ListEyesRuns(ctx context.Context, orgID string, p store.Page) ([]omnify.EyesRun, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list eyes runs: %w", err)
	}
	var w conds
	w.add("org_id = ?", orgID)
	if after {
		w.add("version < ?", c.N)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+runCols+` FROM eyes_runs`+w.where()+
		` ORDER BY version DESC LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list eyes runs", err)
	}
	rs, next, err := collect(rows, p.Limit, scanRun, func(r omnify.EyesRun) cursor { return cursor{N: int64(r.Version)} })
	return rs, next, wrap("list eyes runs", err)
}

func scanRun(row scanner) (omnify.EyesRun, error) {
	var r omnify.EyesRun
	var status string
	var report sql.NullString
	var asOf, created int64
	var finishedAt sql.NullInt64
	err := row.Scan(&r.ID, &r.OrgID, &r.Version, &r.JobID, &status, &asOf, &report, &r.Error, &r.CreatedBy,
		&created, &finishedAt)
	if err != nil {
		return r, err
	}
	r.Status, r.Report = omnify.JobStatus(status), fromRawJSON(report)
	r.AsOf, r.CreatedAt, r.FinishedAt = fromMicro(asOf), fromMicro(created), fromNullMicro(finishedAt)
	return r, nil
}
