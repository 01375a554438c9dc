package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// store.DefaultMaxAttempts applies to jobs enqueued without an attempt budget.

const jobCols = `id, org_id, kind, payload, status, attempts, max_attempts, run_at, locked_by, locked_until,
	idempotency_key, progress, result, error, created_at, updated_at`

// EnqueueJob stores j as a queued job and returns the stored copy. When the
// org already has a job with j's idempotency key, that job is returned with
// ErrConflict and nothing is stored.
func (db *DB) EnqueueJob(ctx context.Context, j *omnify.Job) (*omnify.Job, error) {
	n := db.jobDefaults(*j)
	var existing, stored *omnify.Job
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if n.IdempotencyKey != "" {
			row := tx.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE org_id = ? AND idempotency_key = ?`,
				n.OrgID, n.IdempotencyKey)
			var err error
			if existing, err = scanJobPtr(row); !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO jobs (`+jobCols+`) VALUES (`+placeholders(16)+`)`,
			jobArgs(&n)...); err != nil {
			return err
		}
		// Reading back returns times as every other read does: UTC, microseconds.
		var err error
		stored, err = scanJobPtr(tx.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = ?`, n.ID))
		return err
	})
	switch {
	case err != nil:
		return nil, wrap("enqueue job", err)
	case existing != nil:
		return existing, fmt.Errorf("enqueue job: idempotency key %q already used: %w", n.IdempotencyKey, omnify.ErrConflict)
	}
	return stored, nil
}

func (db *DB) jobDefaults(j omnify.Job) omnify.Job {
	return store.QueuedJob(j, db.now(), newID)
}

func jobArgs(j *omnify.Job) []any {
	return []any{j.ID, j.OrgID, j.Kind, rawJSON(j.Payload), string(j.Status), j.Attempts, j.MaxAttempts,
		micro(j.RunAt), j.LockedBy, micro(j.LockedUntil), j.IdempotencyKey, rawJSON(j.Progress),
		rawJSON(j.Result), j.Error, micro(j.CreatedAt), micro(j.UpdatedAt)}
}

// ClaimJob hands the oldest runnable job to worker. Running jobs whose lease
// expired with no attempt left are first marked dead, so a job that keeps
// crashing its worker cannot be claimed forever.
func (db *DB) ClaimJob(ctx context.Context, kinds []string, worker string, now time.Time, lease time.Duration) (*omnify.Job, error) {
	var j *omnify.Job
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'dead', locked_by = '', updated_at = ?,
			error = CASE WHEN error = '' THEN 'lease expired on the last attempt' ELSE error END
			WHERE status = 'running' AND locked_until <= ? AND attempts >= max_attempts`,
			micro(now), micro(now)); err != nil {
			return err
		}
		var err error
		j, err = claimNext(ctx, tx, kinds, worker, now, lease)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // keep the jobs marked dead
		}
		return err
	})
	if err != nil {
		return nil, wrap("claim job", err)
	}
	if j == nil {
		return nil, fmt.Errorf("claim job: no runnable job: %w", omnify.ErrNotFound)
	}
	return j, nil
}

func claimNext(ctx context.Context, tx *sql.Tx, kinds []string, worker string, now time.Time, lease time.Duration) (*omnify.Job, error) {
	var w conds
	w.add(`((status IN ('queued', 'failed') AND run_at <= ?) OR (status = 'running' AND locked_until <= ?))`,
		micro(now), micro(now))
	if len(kinds) > 0 {
		args := make([]any, len(kinds))
		for i, k := range kinds {
			args[i] = k
		}
		w.add("kind IN ("+placeholders(len(kinds))+")", args...)
	}
	args := append([]any{worker, micro(now.Add(lease)), micro(now)}, w.args...)
	row := tx.QueryRowContext(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1,
		locked_by = ?, locked_until = ?, updated_at = ?
		WHERE id = (SELECT id FROM jobs`+w.where()+` ORDER BY run_at, created_at, id LIMIT 1)
		RETURNING `+jobCols, args...)
	return scanJobPtr(row)
}

// CompleteJob marks a running job succeeded.
func (db *DB) CompleteJob(ctx context.Context, id string, result json.RawMessage, now time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE jobs SET status = 'succeeded', result = ?, updated_at = ?,
		locked_by = '', locked_until = ? WHERE id = ? AND status = 'running'`,
		rawJSON(result), micro(now), zeroMicro, id)
	return wrap("complete job", db.jobGuard(ctx, id, res, err))
}

// FailJob records a failed attempt of a running job; a zero retryAt makes
// it dead at once.
func (db *DB) FailJob(ctx context.Context, id string, msg string, retryAt time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE jobs SET
		status = CASE WHEN attempts >= max_attempts OR ? THEN 'dead' ELSE 'failed' END,
		error = ?, run_at = ?, locked_by = '', locked_until = ?, updated_at = ?
		WHERE id = ? AND status = 'running'`,
		retryAt.IsZero(), msg, micro(retryAt), zeroMicro, micro(db.now()), id)
	return wrap("fail job", db.jobGuard(ctx, id, res, err))
}

// ExtendJobLease moves the lease of a job worker still holds.
func (db *DB) ExtendJobLease(ctx context.Context, id, worker string, until time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE jobs SET locked_until = ?
		WHERE id = ? AND status = 'running' AND locked_by = ?`, micro(until), id, worker)
	return wrap("extend job lease", db.jobGuard(ctx, id, res, err))
}

// SetJobProgress stores a running job's progress.
func (db *DB) SetJobProgress(ctx context.Context, id string, progress json.RawMessage) error {
	res, err := db.write.ExecContext(ctx, `UPDATE jobs SET progress = ? WHERE id = ? AND status = 'running'`,
		rawJSON(progress), id)
	return wrap("set job progress", db.jobGuard(ctx, id, res, err))
}

// RetryJob makes a dead job of the org queued again with a fresh budget.
func (db *DB) RetryJob(ctx context.Context, orgID, id string, now time.Time) error {
	res, err := db.write.ExecContext(ctx, `UPDATE jobs SET status = 'queued', attempts = 0, run_at = ?,
		updated_at = ?, locked_by = '', locked_until = ? WHERE org_id = ? AND id = ? AND status = 'dead'`,
		micro(now), micro(now), zeroMicro, orgID, id)
	if err := mustAffect(res, err); !errors.Is(err, omnify.ErrNotFound) {
		return wrap("retry job", err)
	}
	if _, err := db.GetJob(ctx, orgID, id); err != nil {
		return fmt.Errorf("retry job: %w", err)
	}
	return fmt.Errorf("retry job: job is not dead: %w", omnify.ErrConflict)
}

// jobGuard explains a conditional job update that changed nothing: the job
// is missing (ErrNotFound) or not running (ErrConflict).
func (db *DB) jobGuard(ctx context.Context, id string, res sql.Result, err error) error {
	if err := mustAffect(res, err); !errors.Is(err, omnify.ErrNotFound) {
		return err
	}
	var status string
	if err := db.write.QueryRowContext(ctx, `SELECT status FROM jobs WHERE id = ?`, id).Scan(&status); err != nil {
		return err
	}
	return fmt.Errorf("job is %s, not running: %w", status, omnify.ErrConflict)
}

// GetJob returns one job of the org.
func (db *DB) GetJob(ctx context.Context, orgID, id string) (*omnify.Job, error) {
	j, err := scanJobPtr(db.read.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE org_id = ? AND id = ?`, orgID, id))
	return j, wrap("get job", err)
}

// ListJobs lists an org's jobs, newest first.
func (db *DB) ListJobs(ctx context.Context, orgID string, p store.Page) ([]omnify.Job, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list jobs: %w", err)
	}
	var w conds
	w.add("org_id = ?", orgID)
	if after {
		w.add("(created_at, id) < (?, ?)", c.T, c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+jobCols+` FROM jobs`+w.where()+
		` ORDER BY created_at DESC, id DESC LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list jobs", err)
	}
	js, next, err := collect(rows, p.Limit, scanJob, func(j omnify.Job) cursor {
		return cursor{T: micro(j.CreatedAt), S: j.ID}
	})
	return js, next, wrap("list jobs", err)
}

func scanJobPtr(row scanner) (*omnify.Job, error) {
	j, err := scanJob(row)
	if err != nil {
		return nil, err
	}
	return &j, nil
}

func scanJob(row scanner) (omnify.Job, error) {
	var j omnify.Job
	var payload, progress, result sql.NullString
	var status string
	var runAt, lockedUntil, created, updated int64
	err := row.Scan(&j.ID, &j.OrgID, &j.Kind, &payload, &status, &j.Attempts, &j.MaxAttempts, &runAt,
		&j.LockedBy, &lockedUntil, &j.IdempotencyKey, &progress, &result, &j.Error, &created, &updated)
	if err != nil {
		return j, err
	}
	j.Payload, j.Progress, j.Result = fromRawJSON(payload), fromRawJSON(progress), fromRawJSON(result)
	j.Status = omnify.JobStatus(status)
	j.RunAt, j.LockedUntil = fromMicro(runAt), fromMicro(lockedUntil)
	j.CreatedAt, j.UpdatedAt = fromMicro(created), fromMicro(updated)
	return j, nil
}

// ClaimJobByID claims the named job when it is runnable. A running job whose
// lease expired on its last attempt is marked dead instead, as in ClaimJob;
// the claim is tried first because it is the common case for a consumer.
func (db *DB) ClaimJobByID(ctx context.Context, id, worker string, now time.Time, lease time.Duration) (*omnify.Job, error) {
	var j *omnify.Job
	claimed := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		j, err = scanJobPtr(tx.QueryRowContext(ctx, `UPDATE jobs SET status = 'running', attempts = attempts + 1,
			locked_by = ?, locked_until = ?, updated_at = ?
			WHERE id = ? AND ((status IN ('queued', 'failed') AND run_at <= ?)
				OR (status = 'running' AND locked_until <= ? AND attempts < max_attempts))
			RETURNING `+jobCols, worker, micro(now.Add(lease)), micro(now), id, micro(now), micro(now)))
		if err == nil {
			claimed = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET status = 'dead', locked_by = '', updated_at = ?,
			error = CASE WHEN error = '' THEN 'lease expired on the last attempt' ELSE error END
			WHERE id = ? AND status = 'running' AND locked_until <= ? AND attempts >= max_attempts`,
			micro(now), id, micro(now)); err != nil {
			return err
		}
		j, err = scanJobPtr(tx.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return nil, wrap("claim job "+id, err)
	}
	if !claimed {
		return j, fmt.Errorf("claim job %s: job is %s: %w", id, j.Status, omnify.ErrConflict)
	}
	return j, nil
}
