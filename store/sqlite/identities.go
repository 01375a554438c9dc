package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const identityCols = `org_id, id, platform, external_id, customer_id, email, phone, name, consent, no_merge_group, updated_at`

// ApplyResolution writes a resolution in one transaction: merged-away
// customers first (their dependents move to the survivor), then
// identities, customers and their links.
func (db *DB) ApplyResolution(ctx context.Context, orgID string, r store.Resolution) error {
	if err := validateResolution(r); err != nil {
		return fmt.Errorf("apply resolution: %w", err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := applyMerges(ctx, tx, orgID, r.Merged); err != nil {
			return err
		}
		if err := applyMoves(ctx, tx, orgID, r.Moved); err != nil {
			return err
		}
		if err := db.upsertIdentities(ctx, tx, orgID, r.Identities); err != nil {
			return err
		}
		if err := db.upsertCustomersTx(ctx, tx, orgID, r.Customers); err != nil {
			return err
		}
		if err := replaceLinks(ctx, tx, orgID, r.Customers, r.Links); err != nil {
			return err
		}
		return db.applyRecords(ctx, tx, orgID, r)
	})
	return wrap("apply resolution", err)
}

func validateResolution(r store.Resolution) error {
	for i, id := range r.Identities {
		if id.ID == "" || id.Platform == "" || id.ExternalID == "" {
			return omnify.Invalid(fmt.Sprintf("identities[%d]", i), "id, platform and external id are required")
		}
	}
	for i, c := range r.Customers {
		if c.ID == "" {
			return omnify.Invalid(fmt.Sprintf("customers[%d].id", i), "required")
		}
	}
	for i, o := range r.Orders {
		if o.ID == "" {
			return omnify.Invalid(fmt.Sprintf("orders[%d].id", i), "required")
		}
	}
	for i, rec := range append(r.Records, r.DeleteRecords...) {
		if rec.Platform == "" || rec.Stream == "" || rec.ExternalID == "" {
			return omnify.Invalid(fmt.Sprintf("records[%d]", i), "platform, stream and external id are required")
		}
	}
	for old, to := range r.Merged {
		if old == "" || to == "" || old == to {
			return omnify.Invalid("merged", "a merge needs two distinct customer IDs")
		}
	}
	return nil
}

// Order records (stream "orders") are not in the customer index of
// source_records: ingest would dirty a random index page per order. They
// are found through their orders instead, which the orders table indexes
// by customer; so a record moves before its order does.
const (
	moveOrderRecords = `UPDATE source_records SET customer_id = :to WHERE org_id = :org AND stream = 'orders'
		AND (platform, external_id) IN (SELECT platform, external_id FROM orders INDEXED BY orders_customer
		WHERE org_id = :org AND customer_id = :old)`
	moveOtherRecords = `UPDATE source_records INDEXED BY source_records_customer SET customer_id = :to
		WHERE org_id = :org AND customer_id = :old AND stream <> 'orders'`
)

// applyMerges moves everything of each merged-away customer to its
// survivor, in a fixed order so a retried resolution does the same work.
func applyMerges(ctx context.Context, tx *sql.Tx, orgID string, merged map[string]string) error {
	olds := make([]string, 0, len(merged))
	for old := range merged {
		olds = append(olds, old)
	}
	sort.Strings(olds)
	for _, old := range olds {
		args := []any{sql.Named("to", merged[old]), sql.Named("org", orgID), sql.Named("old", old)}
		for _, q := range []string{
			moveOrderRecords,
			moveOtherRecords,
			`UPDATE orders INDEXED BY orders_customer SET customer_id = :to WHERE org_id = :org AND customer_id = :old`,
			`UPDATE identities INDEXED BY identities_customer SET customer_id = :to
				WHERE org_id = :org AND customer_id = :old`,
			`DELETE FROM merge_links WHERE org_id = :org AND customer_id = :old`,
			`DELETE FROM customers WHERE org_id = :org AND id = :old`,
		} {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyMoves moves the orders and source records of identities that
// changed customer. It runs before identities are written, so each still
// names its old customer.
func applyMoves(ctx context.Context, tx *sql.Tx, orgID string, moved map[string]string) error {
	ids := make([]string, 0, len(moved))
	for id := range moved {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT customer_id FROM identities WHERE org_id = ? AND id = ?`, orgID, id).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) || old == moved[id] {
			continue
		}
		if err != nil {
			return err
		}
		args := []any{sql.Named("to", moved[id]), sql.Named("org", orgID), sql.Named("old", old), sql.Named("id", id)}
		for _, q := range []string{
			moveOrderRecords + ` AND identity_id = :id`,
			`UPDATE orders INDEXED BY orders_customer SET customer_id = :to WHERE org_id = :org AND customer_id = :old AND EXISTS
				(SELECT 1 FROM source_records r WHERE r.org_id = :org AND r.platform = orders.platform
				AND r.stream = 'orders' AND r.external_id = orders.external_id AND r.identity_id = :id)`,
			moveOtherRecords + ` AND identity_id = :id`,
		} {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
	}
	return nil
}

func (db *DB) upsertIdentities(ctx context.Context, tx *sql.Tx, orgID string, ids []store.Identity) error {
	if len(ids) == 0 {
		return nil
	}
	return upsert{
		head: `INSERT INTO identities (` + identityCols + `) VALUES `,
		tail: ` ON CONFLICT (org_id, platform, external_id) DO UPDATE SET customer_id = excluded.customer_id,
		email = excluded.email, phone = excluded.phone, name = excluded.name, consent = excluded.consent,
		no_merge_group = excluded.no_merge_group, updated_at = excluded.updated_at`,
		cols: 11, rowCount: len(ids),
		args: func(i int, dst []any) []any {
			id := &ids[i]
			return append(dst, orgID, id.ID, id.Platform, id.ExternalID, id.CustomerID, id.Email, id.Phone,
				id.Name, consentOrUnknown(id.Consent), id.NoMergeGroup, micro(db.stamp(id.UpdatedAt)))
		},
	}.exec(ctx, tx)
}

func consentOrUnknown(c omnify.Consent) string {
	if c == "" {
		return string(omnify.ConsentUnknown)
	}
	return string(c)
}

func (db *DB) upsertCustomersTx(ctx context.Context, tx *sql.Tx, orgID string, cs []omnify.Customer) error {
	if len(cs) == 0 {
		return nil
	}
	return upsert{
		head: `INSERT INTO customers (` + customerCols + `) VALUES `,
		tail: ` ON CONFLICT (org_id, id) DO UPDATE SET email = excluded.email, name = excluded.name,
		phone = excluded.phone, consent = excluded.consent, platforms = excluded.platforms,
		updated_at = excluded.updated_at`,
		cols: 9, rowCount: len(cs),
		args: func(i int, dst []any) []any { return db.customerArgs(dst, orgID, &cs[i]) },
	}.exec(ctx, tx)
}

// replaceLinks drops the links of every customer written and stores links.
func replaceLinks(ctx context.Context, tx *sql.Tx, orgID string, cs []omnify.Customer, links []store.MergeLink) error {
	custIDs := make([]string, len(cs))
	for i := range cs {
		custIDs[i] = cs[i].ID
	}
	if len(custIDs) > 0 {
		_, err := tx.ExecContext(ctx, `DELETE FROM merge_links WHERE org_id = ?
			AND customer_id IN (SELECT value FROM json_each(?))`, orgID, stringsJSON(custIDs))
		if err != nil {
			return err
		}
	}
	if len(links) == 0 {
		return nil
	}
	return upsert{
		head: `INSERT INTO merge_links (org_id, customer_id, identity_id, other_identity_id, reason) VALUES `,
		tail: ` ON CONFLICT DO UPDATE SET reason = excluded.reason`,
		cols: 5, rowCount: len(links),
		args: func(i int, dst []any) []any {
			l := &links[i]
			return append(dst, orgID, l.CustomerID, l.IdentityID, l.OtherIdentityID, l.Reason)
		},
	}.exec(ctx, tx)
}

// GetIdentitiesByExternalID returns a platform's identities by external ID.
func (db *DB) GetIdentitiesByExternalID(ctx context.Context, orgID, platform string, externalIDs []string) ([]store.Identity, error) {
	if len(externalIDs) == 0 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+identityCols+` FROM identities INDEXED BY identities_external
		WHERE org_id = ? AND platform = ? AND external_id IN (SELECT value FROM json_each(?)) ORDER BY external_id`, orgID, platform, stringsJSON(externalIDs))
	return db.identities(rows, err, "get identities")
}

// FindIdentitiesByKey returns identities sharing any of the emails or phones.
func (db *DB) FindIdentitiesByKey(ctx context.Context, orgID string, emails, phones []string) ([]store.Identity, error) {
	if len(emails) == 0 && len(phones) == 0 {
		return nil, nil
	}
	// Without statistics the planner would scan the org's identities; the
	// partial key indexes are what make resolution scale.
	rows, err := db.read.QueryContext(ctx, `SELECT `+identityCols+` FROM identities INDEXED BY identities_email
		WHERE org_id = ? AND email IN (SELECT value FROM json_each(?)) AND email <> ''
		UNION SELECT `+identityCols+` FROM identities INDEXED BY identities_phone
		WHERE org_id = ? AND phone IN (SELECT value FROM json_each(?)) AND phone <> ''
		ORDER BY id`, orgID, stringsJSON(emails), orgID, stringsJSON(phones))
	return db.identities(rows, err, "find identities")
}

// ListCustomerIdentities returns the identities of the customers.
func (db *DB) ListCustomerIdentities(ctx context.Context, orgID string, customerIDs []string) ([]store.Identity, error) {
	if len(customerIDs) == 0 {
		return nil, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+identityCols+` FROM identities WHERE org_id = ?
		AND customer_id IN (SELECT value FROM json_each(?)) ORDER BY customer_id, platform, external_id`,
		orgID, stringsJSON(customerIDs))
	return db.identities(rows, err, "list customer identities")
}

// GetIdentity returns one identity of the org.
func (db *DB) GetIdentity(ctx context.Context, orgID, id string) (*store.Identity, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+identityCols+` FROM identities WHERE org_id = ? AND id = ?`, orgID, id)
	i, err := scanIdentity(row)
	if err != nil {
		return nil, wrap("get identity", err)
	}
	return &i, nil
}

func (db *DB) identities(rows *sql.Rows, err error, op string) ([]store.Identity, error) {
	if err != nil {
		return nil, wrap(op, err)
	}
	var out []store.Identity
	err = stream(rows, scanIdentity, func(i store.Identity) error {
		out = append(out, i)
		return nil
	}, op)
	return out, err
}

func scanIdentity(row scanner) (store.Identity, error) {
	var i store.Identity
	var consent string
	var updated int64
	err := row.Scan(&i.OrgID, &i.ID, &i.Platform, &i.ExternalID, &i.CustomerID, &i.Email, &i.Phone, &i.Name,
		&consent, &i.NoMergeGroup, &updated)
	i.Consent, i.UpdatedAt = omnify.Consent(consent), fromMicro(updated)
	return i, err
}

// ListMergeLinks lists a customer's links by identity.
func (db *DB) ListMergeLinks(ctx context.Context, orgID, customerID string) ([]store.MergeLink, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT org_id, customer_id, identity_id, other_identity_id, reason
		FROM merge_links WHERE org_id = ? AND customer_id = ? ORDER BY identity_id, other_identity_id`, orgID, customerID)
	if err != nil {
		return nil, wrap("list merge links", err)
	}
	var out []store.MergeLink
	err = stream(rows, func(r scanner) (store.MergeLink, error) {
		var l store.MergeLink
		return l, r.Scan(&l.OrgID, &l.CustomerID, &l.IdentityID, &l.OtherIdentityID, &l.Reason)
	}, func(l store.MergeLink) error {
		out = append(out, l)
		return nil
	}, "list merge links")
	return out, err
}

// applyRecords writes a resolution's orders and source records.
func (db *DB) applyRecords(ctx context.Context, tx *sql.Tx, orgID string, r store.Resolution) error {
	for _, d := range r.DeleteRecords {
		if err := deleteRecordOrder(ctx, tx, orgID, d); err != nil {
			return err
		}
		if err := deleteRecordsTx(ctx, tx, orgID, d.Platform, d.Stream, []string{d.ExternalID}); err != nil {
			return err
		}
	}
	if err := upsertOrdersTx(ctx, tx, orgID, r.Orders); err != nil {
		return err
	}
	return db.upsertRecordsTx(ctx, tx, orgID, r.Records)
}

func upsertOrdersTx(ctx context.Context, tx *sql.Tx, orgID string, os []omnify.Order) error {
	if len(os) == 0 {
		return nil
	}
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
}

// deleteRecordOrder deletes the order of an "orders" record, found among
// the orders of the record's customer.
func deleteRecordOrder(ctx context.Context, tx *sql.Tx, orgID string, d store.SourceRecord) error {
	if d.Stream != "orders" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `DELETE FROM orders INDEXED BY orders_customer WHERE org_id = ? AND customer_id IN
		(SELECT customer_id FROM source_records WHERE org_id = ? AND platform = ? AND stream = 'orders' AND external_id = ?)
		AND platform = ? AND external_id = ?`, orgID, orgID, d.Platform, d.ExternalID, d.Platform, d.ExternalID)
	return err
}
