package mongo

import (
	"context"
	"fmt"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// ApplyResolution writes a resolution without a multi-document
// transaction. Every step is idempotent and the steps run in an order that
// converges when the whole call is retried after a failure part-way:
//
//  1. merges: the absorbed customer's orders, records and identities move to
//     the survivor ("old → new" updates), then its links and the customer
//     itself are deleted last, so a retry still finds what is left to move;
//  2. moves: an identity's orders move before its records, both selected by
//     the identity's source records, which the identity upsert of step 3
//     does not touch, so a retry moves whatever is still behind;
//  3. identity, customer and link upserts;
//  4. record deletions (each order before its record) and order and record
//     upserts.
//
// Readers can see a half-applied resolution for the duration of the call;
// the identity sink retries a failed batch, which completes it.
func (db *DB) ApplyResolution(ctx context.Context, orgID string, r store.Resolution) error {
	if err := validateResolution(r); err != nil {
		return fmt.Errorf("apply resolution: %w", err)
	}
	steps := []func(context.Context, string, store.Resolution) error{
		db.applyMerges, db.applyMoves, db.upsertIdentities, db.upsertResolvedCustomers, db.replaceLinks, db.applyRecords,
	}
	for _, step := range steps {
		if err := step(ctx, orgID, r); err != nil {
			return wrap("apply resolution", err)
		}
	}
	return nil
}

func validateResolution(r store.Resolution) error {
	for i, id := range r.Identities {
		if id.ID == "" || id.Platform == "" || id.ExternalID == "" {
			return omnify.Invalid(fmt.Sprintf("identities[%d]", i), "id, platform and external id are required")
		}
	}
	if err := requireIDs("customers", len(r.Customers), func(i int) string { return r.Customers[i].ID }); err != nil {
		return err
	}
	if err := requireIDs("orders", len(r.Orders), func(i int) string { return r.Orders[i].ID }); err != nil {
		return err
	}
	for i, rec := range append(append([]store.SourceRecord{}, r.Records...), r.DeleteRecords...) {
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

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (db *DB) applyMerges(ctx context.Context, orgID string, r store.Resolution) error {
	for _, old := range sortedKeys(r.Merged) {
		to := bson.D{{Key: "$set", Value: set("v.customerid", r.Merged[old])}}
		byOld := bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.customerid", Value: old}}
		for _, col := range []string{colOrders, colRecords, colIdentities} {
			if _, err := db.c(col).UpdateMany(ctx, byOld, to); err != nil {
				return err
			}
		}
		if _, err := db.c(colLinks).DeleteMany(ctx, byOld); err != nil {
			return err
		}
		if _, err := db.c(colCustomers).DeleteOne(ctx, bson.D{{Key: "_id", Value: key(orgID, old)}}); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyMoves(ctx context.Context, orgID string, r store.Resolution) error {
	for _, id := range sortedKeys(r.Moved) {
		ident, err := db.GetIdentity(ctx, orgID, id)
		if err != nil || ident.CustomerID == r.Moved[id] {
			continue // an unknown identity has nothing to move
		}
		if err := db.moveIdentity(ctx, orgID, id, ident.CustomerID, r.Moved[id]); err != nil {
			return err
		}
	}
	return nil
}

// moveIdentity moves the orders, then the records, of one identity from
// customer old to customer to.
func (db *DB) moveIdentity(ctx context.Context, orgID, id, old, to string) error {
	recs, err := findAll[store.SourceRecord](ctx, db.c(colRecords), bson.D{{Key: "v.orgid", Value: orgID},
		{Key: "v.stream", Value: "orders"}, {Key: "v.identityid", Value: id}}, bson.D{{Key: "_id", Value: 1}})
	if err != nil {
		return err
	}
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "v.customerid", Value: to}}}}
	for _, rec := range recs {
		_, err := db.c(colOrders).UpdateMany(ctx, bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.customerid", Value: old},
			{Key: "v.platform", Value: rec.Platform}, {Key: "v.externalid", Value: rec.ExternalID}}, set)
		if err != nil {
			return err
		}
	}
	_, err = db.c(colRecords).UpdateMany(ctx, bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.customerid", Value: old},
		{Key: "v.identityid", Value: id}}, set)
	return err
}

func (db *DB) upsertIdentities(ctx context.Context, orgID string, r store.Resolution) error {
	ms := make([]upsert, 0, len(r.Identities))
	for _, id := range r.Identities {
		id.OrgID = orgID
		if id.Consent == "" {
			id.Consent = omnify.ConsentUnknown
		}
		id.UpdatedAt = db.stamp(id.UpdatedAt)
		m, err := newUpsert(key(orgID, id.Platform, id.ExternalID), id, "id")
		if err != nil {
			return err
		}
		ms = append(ms, m)
	}
	return db.upsertAll(ctx, colIdentities, ms)
}

func (db *DB) upsertResolvedCustomers(ctx context.Context, orgID string, r store.Resolution) error {
	if len(r.Customers) == 0 {
		return nil
	}
	return db.UpsertCustomers(ctx, orgID, r.Customers)
}

func (db *DB) replaceLinks(ctx context.Context, orgID string, r store.Resolution) error {
	if len(r.Customers) > 0 {
		ids := make(bson.A, len(r.Customers))
		for i, c := range r.Customers {
			ids[i] = c.ID
		}
		_, err := db.c(colLinks).DeleteMany(ctx, bson.D{{Key: "v.orgid", Value: orgID},
			{Key: "v.customerid", Value: bson.D{{Key: "$in", Value: ids}}}})
		if err != nil {
			return err
		}
	}
	ms := make([]upsert, 0, len(r.Links))
	for _, l := range r.Links {
		l.OrgID = orgID
		m, err := newUpsert(key(orgID, l.CustomerID, l.IdentityID, l.OtherIdentityID), l)
		if err != nil {
			return err
		}
		ms = append(ms, m)
	}
	return db.upsertAll(ctx, colLinks, ms)
}

func (db *DB) applyRecords(ctx context.Context, orgID string, r store.Resolution) error {
	for _, d := range r.DeleteRecords {
		if err := db.deleteRecordOrder(ctx, orgID, d); err != nil {
			return err
		}
		if err := db.deleteRecords(ctx, orgID, d.Platform, d.Stream, []string{d.ExternalID}); err != nil {
			return err
		}
	}
	ms, err := orderModels(orgID, r.Orders)
	if err != nil {
		return err
	}
	if err := db.upsertAll(ctx, colOrders, ms); err != nil {
		return err
	}
	return db.upsertRecords(ctx, orgID, r.Records)
}

// deleteRecordOrder deletes the order an "orders" record stands for: the
// order of the same platform and external ID under the record's customer.
func (db *DB) deleteRecordOrder(ctx context.Context, orgID string, d store.SourceRecord) error {
	if d.Stream != "orders" {
		return nil
	}
	rec, err := findOne[store.SourceRecord](ctx, db.c(colRecords), bson.D{{Key: "_id", Value: recordID(orgID, d)}})
	if err != nil {
		return ignoreNotFound(err)
	}
	_, err = db.c(colOrders).DeleteMany(ctx, bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.customerid", Value: rec.CustomerID},
		{Key: "v.platform", Value: d.Platform}, {Key: "v.externalid", Value: d.ExternalID}})
	return err
}

func (db *DB) GetIdentitiesByExternalID(ctx context.Context, orgID, platform string, externalIDs []string) ([]store.Identity, error) {
	if len(externalIDs) == 0 {
		return nil, nil
	}
	is, err := findAll[store.Identity](ctx, db.c(colIdentities), bson.D{{Key: "v.orgid", Value: orgID},
		{Key: "v.platform", Value: platform}, {Key: "v.externalid", Value: bson.D{{Key: "$in", Value: strs(externalIDs)}}}},
		bson.D{{Key: "v.externalid", Value: 1}})
	return is, wrap("get identities", err)
}

func strs(ss []string) bson.A {
	a := make(bson.A, len(ss))
	for i, s := range ss {
		a[i] = s
	}
	return a
}

// nonEmpty drops empty keys, which never match.
func nonEmpty(ss []string) bson.A {
	a := bson.A{}
	for _, s := range ss {
		if s != "" {
			a = append(a, s)
		}
	}
	return a
}

func (db *DB) FindIdentitiesByKey(ctx context.Context, orgID string, emails, phones []string) ([]store.Identity, error) {
	es, ps := nonEmpty(emails), nonEmpty(phones)
	if len(es) == 0 && len(ps) == 0 {
		return nil, nil
	}
	is, err := findAll[store.Identity](ctx, db.c(colIdentities), bson.D{{Key: "v.orgid", Value: orgID},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "v.email", Value: bson.D{{Key: "$in", Value: es}}}},
			bson.D{{Key: "v.phone", Value: bson.D{{Key: "$in", Value: ps}}}},
		}}}, bson.D{{Key: "v.id", Value: 1}})
	return is, wrap("find identities", err)
}

func (db *DB) ListCustomerIdentities(ctx context.Context, orgID string, customerIDs []string) ([]store.Identity, error) {
	if len(customerIDs) == 0 {
		return nil, nil
	}
	is, err := findAll[store.Identity](ctx, db.c(colIdentities), bson.D{{Key: "v.orgid", Value: orgID},
		{Key: "v.customerid", Value: bson.D{{Key: "$in", Value: strs(customerIDs)}}}},
		bson.D{{Key: "v.customerid", Value: 1}, {Key: "v.platform", Value: 1}, {Key: "v.externalid", Value: 1}})
	return is, wrap("list customer identities", err)
}

func (db *DB) GetIdentity(ctx context.Context, orgID, id string) (*store.Identity, error) {
	i, err := findOne[store.Identity](ctx, db.c(colIdentities), bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.id", Value: id}})
	return i, wrap("get identity", err)
}

func (db *DB) ListMergeLinks(ctx context.Context, orgID, customerID string) ([]store.MergeLink, error) {
	ls, err := findAll[store.MergeLink](ctx, db.c(colLinks),
		bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.customerid", Value: customerID}},
		bson.D{{Key: "v.identityid", Value: 1}, {Key: "v.otheridentityid", Value: 1}})
	return ls, wrap("list merge links", err)
}
