package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const orderCols = `org_id, id, customer_id, platform, external_id, placed_at, amount_minor, currency`

// UpsertOrders writes os under orgID in one transaction of multi-row
// inserts; that is what makes bulk syncs fast.
func (db *DB) UpsertOrders(ctx context.Context, orgID string, os []omnify.Order) error {
	for i, o := range os {
		if o.ID == "" {
			return fmt.Errorf("upsert orders: %w", omnify.Invalid(fmt.Sprintf("orders[%d].id", i), "required"))
		}
	}
	if len(os) == 0 {
		return nil
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return upsert{
			head: `INSERT INTO orders (` + orderCols + `) VALUES `,
			tail: ` ON CONFLICT (org_id, id) DO UPDATE SET customer_id = excluded.customer_id,
			platform = excluded.platform, external_id = excluded.external_id, placed_at = excluded.placed_at,
			amount_minor = excluded.amount_minor, currency = excluded.currency`,
			cols: 8, rowCount: len(os),
			args: func(i int, dst []any) []any {
				o := &os[i]
				return append(dst, orgID, o.ID, o.CustomerID, o.Platform, o.ExternalID, micro(o.PlacedAt),
					o.AmountMinor, o.Currency)
			},
		}.exec(ctx, tx)
	})
	return wrap("upsert orders", err)
}

// ListOrders lists one customer's orders, oldest first.
func (db *DB) ListOrders(ctx context.Context, orgID, customerID string, p store.Page) ([]omnify.Order, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list orders: %w", err)
	}
	var w conds
	w.add("org_id = ? AND customer_id = ?", orgID, customerID)
	if after {
		w.add("(placed_at, id) > (?, ?)", c.T, c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderCols+` FROM orders`+w.where()+
		` ORDER BY placed_at, id LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list orders", err)
	}
	os, next, err := collect(rows, p.Limit, scanOrder, func(o omnify.Order) cursor {
		return cursor{T: micro(o.PlacedAt), S: o.ID}
	})
	return os, next, wrap("list orders", err)
}

// ScanOrders streams an org's orders grouped by customer, each customer's
// oldest first: the order the EYES pipeline builds histories in.
func (db *DB) ScanOrders(ctx context.Context, orgID string, fn func(omnify.Order) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderCols+` FROM orders WHERE org_id = ?
		ORDER BY customer_id, placed_at, id`, orgID)
	if err != nil {
		return wrap("scan orders", err)
	}
	return stream(rows, scanOrder, fn, "scan orders")
}

func scanOrder(row scanner) (omnify.Order, error) {
	var o omnify.Order
	var placed int64
	err := row.Scan(&o.OrgID, &o.ID, &o.CustomerID, &o.Platform, &o.ExternalID, &placed, &o.AmountMinor, &o.Currency)
	o.PlacedAt = fromMicro(placed)
	return o, err
}
