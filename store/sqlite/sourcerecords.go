package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

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

// GetSourceRecords returns records of one platform stream by external ID.
func (db *DB) GetSourceRecords(ctx context.Context, orgID, platform, streamName string, externalIDs []string) ([]store.SourceRecord, error) {
	if len(externalIDs) == 0 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+sourceRecordCols+` FROM source_records WHERE org_id = ?
		AND platform = ? AND stream = ? AND external_id IN (SELECT value FROM json_each(?)) ORDER BY external_id`,
		orgID, platform, streamName, stringsJSON(externalIDs))
	if err != nil {
		return nil, wrap("get source records", err)
	}
	var out []store.SourceRecord
	err = stream(rows, scanSourceRecord, func(r store.SourceRecord) error {
		out = append(out, r)
		return nil
	}, "get source records")
	return out, err
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

// ListSourceRecords lists records by platform, stream and external ID. A
// customer's order records are found through the customer's orders (they
// are not in the customer index), the others through the customer index;
// the two are merged into one page.
func (db *DB) ListSourceRecords(ctx context.Context, orgID string, f store.SourceRecordFilter, p store.Page) ([]store.SourceRecord, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list source records: %w", err)
	}
	var out []store.SourceRecord
	for _, q := range recordQueries(orgID, f) {
		if after {
			q.w.add("(r.platform || char(0) || r.stream || char(0) || r.external_id) > ?", c.S)
		}
		rows, err := db.read.QueryContext(ctx, `SELECT `+recordColsOf("r")+q.from+q.w.where()+
			` ORDER BY r.platform || char(0) || r.stream || char(0) || r.external_id LIMIT ?`, append(q.w.args, p.Limit+1)...)
		if err != nil {
			return nil, "", wrap("list source records", err)
		}
		err = stream(rows, scanSourceRecord, func(r store.SourceRecord) error {
			out = append(out, r)
			return nil
		}, "list source records")
		if err != nil {
			return nil, "", err
		}
	}
	sort.Slice(out, func(i, j int) bool { return recordKey(out[i]) < recordKey(out[j]) })
	if len(out) <= p.Limit {
		return out, "", nil
	}
	out = out[:p.Limit]
	return out, cursor{S: recordKey(out[p.Limit-1])}.Encode(), nil
}

func recordKey(r store.SourceRecord) string {
	return r.Platform + "\x00" + r.Stream + "\x00" + r.ExternalID
}

func recordColsOf(alias string) string {
	cols := strings.Split(sourceRecordCols, ", ")
	for i := range cols {
		cols[i] = alias + "." + cols[i]
	}
	return strings.Join(cols, ", ")
}

type recordQuery struct {
	from string
	w    conds
}

// recordQueries are the queries whose results make up a listing.
func recordQueries(orgID string, f store.SourceRecordFilter) []recordQuery {
	if f.CustomerID == "" {
		q := recordQuery{from: ` FROM source_records r`}
		q.w.add("r.org_id = ?", orgID)
		if f.Stream != "" {
			q.w.add("r.stream = ?", f.Stream)
		}
		return []recordQuery{q}
	}
	var qs []recordQuery
	if f.Stream == "" || f.Stream == "orders" {
		q := recordQuery{from: ` FROM orders o INDEXED BY orders_customer CROSS JOIN source_records r
			ON r.org_id = o.org_id AND r.platform = o.platform AND r.stream = 'orders' AND r.external_id = o.external_id`}
		q.w.add("o.org_id = ? AND o.customer_id = ? AND r.customer_id = ?", orgID, f.CustomerID, f.CustomerID)
		qs = append(qs, q)
	}
	if f.Stream != "orders" {
		q := recordQuery{from: ` FROM source_records r INDEXED BY source_records_customer`}
		q.w.add("r.org_id = ? AND r.customer_id = ? AND r.stream <> 'orders'", orgID, f.CustomerID)
		if f.Stream != "" {
			q.w.add("r.stream = ?", f.Stream)
		}
		qs = append(qs, q)
	}
	return qs
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
