package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const customerCols = `org_id, id, email, name, phone, consent, platforms, created_at, updated_at`

// UpsertCustomers writes cs under orgID in one transaction. A customer
// already stored keeps its creation time; every other field is replaced.
func (db *DB) UpsertCustomers(ctx context.Context, orgID string, cs []omnify.Customer) error {
	for i, c := range cs {
		if c.ID == "" {
			return fmt.Errorf("upsert customers: %w", omnify.Invalid(fmt.Sprintf("customers[%d].id", i), "required"))
		}
	}
	if len(cs) == 0 {
		return nil
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return upsert{
			head: `INSERT INTO customers (` + customerCols + `) VALUES `,
			tail: ` ON CONFLICT (org_id, id) DO UPDATE SET email = excluded.email, name = excluded.name,
			phone = excluded.phone, consent = excluded.consent, platforms = excluded.platforms,
			updated_at = excluded.updated_at`,
			cols: 9, rowCount: len(cs),
			args: func(i int, dst []any) []any { return db.customerArgs(dst, orgID, &cs[i]) },
		}.exec(ctx, tx)
	})
	return wrap("upsert customers", err)
}

func (db *DB) customerArgs(dst []any, orgID string, c *omnify.Customer) []any {
	created := db.stamp(c.CreatedAt)
	updated := c.UpdatedAt
	if updated.IsZero() {
		updated = created
	}
	return append(dst, orgID, c.ID, c.Email, c.Name, c.Phone, string(c.Consent), stringsJSON(c.Platforms),
		micro(created), micro(updated))
}

// GetCustomer returns one customer of the org.
func (db *DB) GetCustomer(ctx context.Context, orgID, id string) (*omnify.Customer, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+customerCols+` FROM customers WHERE org_id = ? AND id = ?`, orgID, id)
	c, err := scanCustomer(row)
	if err != nil {
		return nil, wrap("get customer", err)
	}
	return &c, nil
}

// GetCustomers returns the org's customers among ids in one query.
func (db *DB) GetCustomers(ctx context.Context, orgID string, ids []string) ([]omnify.Customer, error) {
	if err := store.CheckIDs(ids); err != nil {
		return nil, fmt.Errorf("get customers: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, orgID)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+customerCols+` FROM customers WHERE org_id = ? AND id IN (?`+
		strings.Repeat(`, ?`, len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, wrap("get customers", err)
	}
	var cs []omnify.Customer
	err = stream(rows, scanCustomer, func(c omnify.Customer) error {
		cs = append(cs, c)
		return nil
	}, "get customers")
	return cs, err
}

// ListCustomers lists an org's customers by ID.
func (db *DB) ListCustomers(ctx context.Context, orgID string, f store.CustomerFilter, p store.Page) ([]omnify.Customer, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list customers: %w", err)
	}
	var w conds
	w.add("org_id = ?", orgID)
	if f.Email != "" {
		w.add("email = ?", f.Email)
	}
	if f.Platform != "" {
		w.add("EXISTS (SELECT 1 FROM json_each(platforms) WHERE value = ?)", f.Platform)
	}
	if after {
		w.add("id > ?", c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+customerCols+` FROM customers`+w.where()+
		` ORDER BY id LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list customers", err)
	}
	cs, next, err := collect(rows, p.Limit, scanCustomer, func(c omnify.Customer) cursor { return cursor{S: c.ID} })
	return cs, next, wrap("list customers", err)
}

// ScanCustomers streams an org's customers by ID.
func (db *DB) ScanCustomers(ctx context.Context, orgID string, fn func(omnify.Customer) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+customerCols+` FROM customers WHERE org_id = ? ORDER BY id`, orgID)
	if err != nil {
		return wrap("scan customers", err)
	}
	return stream(rows, scanCustomer, fn, "scan customers")
}

// CountCustomers counts an org's customers.
func (db *DB) CountCustomers(ctx context.Context, orgID string) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM customers WHERE org_id = ?`, orgID).Scan(&n)
	return n, wrap("count customers", err)
}

func scanCustomer(row scanner) (omnify.Customer, error) {
	var c omnify.Customer
	var consent, platforms string
	var created, updated int64
	err := row.Scan(&c.OrgID, &c.ID, &c.Email, &c.Name, &c.Phone, &consent, &platforms, &created, &updated)
	if err != nil {
		return c, err
	}
	c.Consent, c.CreatedAt, c.UpdatedAt = omnify.Consent(consent), fromMicro(created), fromMicro(updated)
	c.Platforms, err = fromStringsJSON(platforms)
	return c, err
}

// stream hands each row to fn without holding more than one in memory. An
// error of fn stops the scan and is returned as is.
func stream[T any](rows *sql.Rows, scan func(scanner) (T, error), fn func(T) error, op string) error {
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return wrap(op, err)
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return wrap(op, rows.Err())
}
