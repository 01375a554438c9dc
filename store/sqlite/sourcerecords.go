package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const sourceRecordCols = `org_id, platform, stream, external_id, customer_id, identity_id, updated_at, data`

// UpsertSourceRecords writes rs under orgID in one transaction.
func (db *DB) UpsertSourceRecords(ctx context.Context, orgID string, rs []store.SourceRecord) error {
	for i, r := range rs {
		if r.Platform == "" || r.Stream == "" || r.ExternalID == "" {
			return fmt.Errorf("upsert source records: %w",
				omnify.Invalid(fmt.Sprintf("records[%d]", i), "platform, stream and external id are required"))
		}
	}
	if len(rs) == 0 {
		return nil
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error { return db.upsertRecordsTx(ctx, tx, orgID, rs) })
	return wrap("upsert source records", err)
}

func (db *DB) upsertRecordsTx(ctx context.Context, tx *sql.Tx, orgID string, rs []store.SourceRecord) error {
	if len(rs) == 0 {
		return nil
	}
	return upsert{
		head: `INSERT INTO source_records (` + sourceRecordCols + `) VALUES `,
		tail: ` ON CONFLICT (org_id, platform, stream, external_id) DO UPDATE SET customer_id = excluded.customer_id,
		identity_id = excluded.identity_id, updated_at = excluded.updated_at, data = excluded.data`,
		cols: 8, rowCount: len(rs),
		args: func(i int, dst []any) []any {
			r := &rs[i]
			data := string(r.Data)
			if data == "" {
				data = "null"
			}
			return append(dst, orgID, r.Platform, r.Stream, r.ExternalID, r.CustomerID, r.IdentityID,
				micro(db.stamp(r.UpdatedAt)), data)
		},
	}.exec(ctx, tx)
}

// DeleteSourceRecords removes records of one platform stream.
func (db *DB) DeleteSourceRecords(ctx context.Context, orgID, platform, stream string, externalIDs []string) error {
	if len(externalIDs) == 0 {
		return nil
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return deleteRecordsTx(ctx, tx, orgID, platform, stream, externalIDs)
	})
	return wrap("delete source records", err)
}

func deleteRecordsTx(ctx context.Context, tx *sql.Tx, orgID, platform, stream string, externalIDs []string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM source_records WHERE org_id = ? AND platform = ? AND stream = ?
		AND external_id IN (SELECT value FROM json_each(?))`, orgID, platform, stream, stringsJSON(externalIDs))
	return err
}

// ListSourceRecords lists records by platform, stream and external ID.
func (db *DB) ListSourceRecords(ctx context.Context, orgID string, f store.SourceRecordFilter, p store.Page) ([]store.SourceRecord, string, error) {
	p = p.Norm()
	c, after, err := decodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list source records: %w", err)
	}
	var w conds
	w.add("org_id = ?", orgID)
	if f.CustomerID != "" {
		w.add("customer_id = ?", f.CustomerID)
	}
	if f.Stream != "" {
		w.add("stream = ?", f.Stream)
	}
	if after {
		// The cursor's S holds platform, stream and external ID joined by NUL.
		w.add("(platform || char(0) || stream || char(0) || external_id) > ?", c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+sourceRecordCols+` FROM source_records`+w.where()+
		` ORDER BY platform || char(0) || stream || char(0) || external_id LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list source records", err)
	}
	rs, next, err := collect(rows, p.Limit, scanSourceRecord, func(r store.SourceRecord) cursor {
		return cursor{S: r.Platform + "\x00" + r.Stream + "\x00" + r.ExternalID}
	})
	return rs, next, wrap("list source records", err)
}

func scanSourceRecord(row scanner) (store.SourceRecord, error) {
	var r store.SourceRecord
	var updated int64
	var data string
	err := row.Scan(&r.OrgID, &r.Platform, &r.Stream, &r.ExternalID, &r.CustomerID, &r.IdentityID, &updated, &data)
	r.UpdatedAt = fromMicro(updated)
	if data != "null" {
		r.Data = []byte(data)
	}
	return r, err
}
