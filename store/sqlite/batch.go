package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

// batchRows is how many records one multi-row INSERT carries. Per-statement
// overhead dominates single-row inserts; 128 rows of up to 16 columns stay
// far below SQLite's limit of 32766 parameters.
const batchRows = 128

// upsert describes a multi-row INSERT ... ON CONFLICT statement.
type upsert struct {
	head     string // "INSERT INTO t (a, b) VALUES "
	tail     string // " ON CONFLICT ... DO UPDATE SET ..."
	cols     int
	rowCount int
	args     func(i int, dst []any) []any // appends record i's column values
}

// exec writes every record in chunks of batchRows, preparing the full-chunk
// statement once.
func (u upsert) exec(ctx context.Context, tx *sql.Tx) error {
	var full *sql.Stmt
	defer func() {
		if full != nil {
			_ = full.Close()
		}
	}()
	args := make([]any, 0, batchRows*u.cols)
	for start := 0; start < u.rowCount; start += batchRows {
		end := min(start+batchRows, u.rowCount)
		args = args[:0]
		for i := start; i < end; i++ {
			args = u.args(i, args)
		}
		if end-start < batchRows {
			_, err := tx.ExecContext(ctx, u.sql(end-start), args...)
			return err
		}
		if full == nil {
			var err error
			if full, err = tx.PrepareContext(ctx, u.sql(batchRows)); err != nil {
				return err
			}
		}
		if _, err := full.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

func (u upsert) sql(rows int) string {
	row := "(" + placeholders(u.cols) + ")"
	var b strings.Builder
	b.Grow(len(u.head) + rows*(len(row)+2) + len(u.tail))
	b.WriteString(u.head)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(u.tail)
	return b.String()
}
