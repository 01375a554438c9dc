package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const scoreCols = `run_id, org_id, customer_id, segment_id, segment_name, cluster, rfm_segment, churn30, churn60,
	churn90, p_alive, expected_clv, reasons, x, y, consent`

// PutEyesScores writes scores of a run of the org in one transaction. The
// run must exist in the org (ErrNotFound) and not have finished
// (ErrConflict): a finished run's results never change.
func (db *DB) PutEyesScores(ctx context.Context, orgID, runID string, ss []omnify.EyesScore) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM eyes_runs WHERE org_id = ? AND id = ?`, orgID, runID).Scan(&status)
		if err != nil {
			return fmt.Errorf("run %s: %w", runID, err)
		}
		if finished(omnify.JobStatus(status)) {
			return fmt.Errorf("run %s has finished: %w", runID, omnify.ErrConflict)
		}
		return insertScores(ctx, tx, orgID, runID, ss)
	})
	return wrap("put eyes scores", err)
}

func insertScores(ctx context.Context, tx *sql.Tx, orgID, runID string, ss []omnify.EyesScore) error {
	return upsert{
		head: `INSERT INTO eyes_scores (` + scoreCols + `) VALUES `,
		tail: ` ON CONFLICT (run_id, customer_id) DO UPDATE SET segment_id = excluded.segment_id,
		segment_name = excluded.segment_name, cluster = excluded.cluster, rfm_segment = excluded.rfm_segment,
		churn30 = excluded.churn30, churn60 = excluded.churn60, churn90 = excluded.churn90,
		p_alive = excluded.p_alive, expected_clv = excluded.expected_clv, reasons = excluded.reasons,
		x = excluded.x, y = excluded.y, consent = excluded.consent`,
		cols: 16, rowCount: len(ss),
		args: func(i int, dst []any) []any {
			s := &ss[i]
			return append(dst, runID, orgID, s.CustomerID, s.SegmentID, s.SegmentName, s.Cluster, s.RFMSegment,
				s.Churn30, s.Churn60, s.Churn90, s.PAlive, s.ExpectedCLV, stringsJSON(s.Reasons), s.X, s.Y,
				string(s.Consent))
		},
	}.exec(ctx, tx)
}

// ListEyesScores lists a run's scores by customer ID.
func (db *DB) ListEyesScores(ctx context.Context, orgID, runID string, f store.ScoreFilter, p store.Page) ([]omnify.EyesScore, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list eyes scores: %w", err)
	}
	var w conds
	w.add("run_id = ? AND org_id = ?", runID, orgID)
	if f.SegmentID != "" {
		w.add("segment_id = ?", f.SegmentID)
	}
	if f.MinChurn90 != 0 {
		w.add("churn90 >= ?", f.MinChurn90)
	}
	if f.ConsentedOnly {
		w.add("consent = ?", string(omnify.ConsentGranted))
	}
	if after {
		w.add("customer_id > ?", c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+scoreCols+` FROM eyes_scores`+w.where()+
		` ORDER BY customer_id LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list eyes scores", err)
	}
	ss, next, err := collect(rows, p.Limit, scanScore, func(s omnify.EyesScore) cursor { return cursor{S: s.CustomerID} })
	return ss, next, wrap("list eyes scores", err)
}

// GetEyesScore returns one customer's score in a run of the org.
func (db *DB) GetEyesScore(ctx context.Context, orgID, runID, customerID string) (*omnify.EyesScore, error) {
	s, err := scanScore(db.read.QueryRowContext(ctx, `SELECT `+scoreCols+` FROM eyes_scores
		WHERE run_id = ? AND customer_id = ? AND org_id = ?`, runID, customerID, orgID))
	if err != nil {
		return nil, wrap("get eyes score", err)
	}
	return &s, nil
}

func scanScore(row scanner) (omnify.EyesScore, error) {
	var s omnify.EyesScore
	var reasons, consent string
	err := row.Scan(&s.RunID, &s.OrgID, &s.CustomerID, &s.SegmentID, &s.SegmentName, &s.Cluster, &s.RFMSegment,
		&s.Churn30, &s.Churn60, &s.Churn90, &s.PAlive, &s.ExpectedCLV, &reasons, &s.X, &s.Y, &consent)
	if err != nil {
		return s, err
	}
	s.Consent = omnify.Consent(consent)
	s.Reasons, err = fromStringsJSON(reasons)
	return s, err
}
