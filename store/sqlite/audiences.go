package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/omnify-cloud/omnify/store"
)

// RecordAudienceChange writes one accepted batch in one transaction.
func (db *DB) RecordAudienceChange(ctx context.Context, orgID string, ch store.AudienceChange) error {
	if err := ch.Validate(); err != nil {
		return fmt.Errorf("record audience change: %w", err)
	}
	at := micro(db.stamp(ch.At))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audiences (org_id, connection_id, destination, destination_id, updated_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id, connection_id, destination) DO UPDATE SET
			destination_id = CASE WHEN excluded.destination_id = '' THEN destination_id ELSE excluded.destination_id END,
			updated_at = excluded.updated_at`, orgID, ch.ConnectionID, ch.Destination, ch.DestinationID, at); err != nil {
			return err
		}
		if err := db.addAudienceMembers(ctx, tx, orgID, ch, at); err != nil {
			return err
		}
		return removeAudienceMembers(ctx, tx, orgID, ch)
	})
	return wrap("record audience change", err)
}

func (db *DB) addAudienceMembers(ctx context.Context, tx *sql.Tx, orgID string, ch store.AudienceChange, at int64) error {
	u := upsert{
		head:     `INSERT INTO audience_members (org_id, connection_id, destination, customer_id, added_at) VALUES `,
		tail:     ` ON CONFLICT DO NOTHING`,
		cols:     5,
		rowCount: len(ch.Added),
		args: func(i int, dst []any) []any {
			return append(dst, orgID, ch.ConnectionID, ch.Destination, ch.Added[i], at)
		},
	}
	return u.exec(ctx, tx)
}

func removeAudienceMembers(ctx context.Context, tx *sql.Tx, orgID string, ch store.AudienceChange) error {
	for start := 0; start < len(ch.Removed); start += batchRows {
		ids := ch.Removed[start:min(start+batchRows, len(ch.Removed))]
		args := []any{orgID, ch.ConnectionID, ch.Destination}
		for _, id := range ids {
			args = append(args, id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM audience_members WHERE org_id = ? AND connection_id = ?
			AND destination = ? AND customer_id IN (`+placeholders(len(ids))+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}

// GetAudience returns one audience of the org.
func (db *DB) GetAudience(ctx context.Context, orgID, connectionID, destination string) (*store.Audience, error) {
	a := store.Audience{OrgID: orgID, ConnectionID: connectionID, Destination: destination}
	var updated int64
	err := db.read.QueryRowContext(ctx, `SELECT destination_id, updated_at FROM audiences
		WHERE org_id = ? AND connection_id = ? AND destination = ?`, orgID, connectionID, destination).
		Scan(&a.DestinationID, &updated)
	if err != nil {
		return nil, wrap("get audience", err)
	}
	a.UpdatedAt = fromMicro(updated)
	return &a, nil
}

// ListAudienceMembers lists an audience's customer IDs in ID order.
func (db *DB) ListAudienceMembers(ctx context.Context, orgID, connectionID, destination string, p store.Page) ([]string, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list audience members: %w", err)
	}
	var w conds
	w.add("org_id = ? AND connection_id = ? AND destination = ?", orgID, connectionID, destination)
	if after {
		w.add("customer_id > ?", c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT customer_id FROM audience_members`+w.where()+
		` ORDER BY customer_id LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list audience members", err)
	}
	ids, next, err := collect(rows, p.Limit, func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, func(id string) cursor { return cursor{S: id} })
	return ids, next, wrap("list audience members", err)
}
