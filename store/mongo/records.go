package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// A source record document keeps "rk", its (platform, stream, external ID)
// sort key as one string, beside the record, so listings page on one
// field.

func recordID(orgID string, r store.SourceRecord) string {
	return key(orgID, r.Platform, r.Stream, r.ExternalID)
}

// recordKey orders records by platform, stream, then external ID: the
// separator sorts below every printable character.
func recordKey(r store.SourceRecord) string {
	return r.Platform + "\x01" + r.Stream + "\x01" + r.ExternalID
}

func ignoreNotFound(err error) error {
	if errors.Is(err, omnify.ErrNotFound) {
		return nil
	}
	return err
}

func (db *DB) UpsertSourceRecords(ctx context.Context, orgID string, rs []store.SourceRecord) error {
	for i, r := range rs {
		if r.Platform == "" || r.Stream == "" || r.ExternalID == "" {
			return fmt.Errorf("upsert source records: %w",
				omnify.Invalid(fmt.Sprintf("records[%d]", i), "platform, stream and external id are required"))
		}
	}
	return wrap("upsert source records", db.upsertRecords(ctx, orgID, rs))
}

func (db *DB) upsertRecords(ctx context.Context, orgID string, rs []store.SourceRecord) error {
	ms := make([]upsert, 0, len(rs))
	for _, r := range rs {
		r.OrgID = orgID
		r.UpdatedAt = db.stamp(r.UpdatedAt)
		u, err := newUpsert(recordID(orgID, r), r)
		if err != nil {
			return err
		}
		u.extra = bson.D{{Key: "rk", Value: recordKey(r)}}
		ms = append(ms, u)
	}
	return db.upsertAll(ctx, colRecords, ms)
}

func (db *DB) GetSourceRecords(ctx context.Context, orgID, platform, stream string, externalIDs []string) ([]store.SourceRecord, error) {
	if len(externalIDs) == 0 {
		return nil, nil
	}
	rs, err := findAll[store.SourceRecord](ctx, db.c(colRecords), bson.D{{Key: "v.orgid", Value: orgID},
		{Key: "v.platform", Value: platform}, {Key: "v.stream", Value: stream},
		{Key: "v.externalid", Value: bson.D{{Key: "$in", Value: strs(externalIDs)}}}},
		bson.D{{Key: "v.externalid", Value: 1}})
	return rs, wrap("get source records", err)
}

func (db *DB) DeleteSourceRecords(ctx context.Context, orgID, platform, stream string, externalIDs []string) error {
	if len(externalIDs) == 0 {
		return nil
	}
	return wrap("delete source records", db.deleteRecords(ctx, orgID, platform, stream, externalIDs))
}

func (db *DB) deleteRecords(ctx context.Context, orgID, platform, stream string, externalIDs []string) error {
	ids := make(bson.A, len(externalIDs))
	for i, x := range externalIDs {
		ids[i] = recordID(orgID, store.SourceRecord{Platform: platform, Stream: stream, ExternalID: x})
	}
	_, err := db.c(colRecords).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	return err
}

// ListSourceRecords lists by (platform, stream, external ID). Filtered by
// customer, an "orders" record is listed only while its order belongs to
// the customer too, as in every backend.
func (db *DB) ListSourceRecords(ctx context.Context, orgID string, f store.SourceRecordFilter, p store.Page) ([]store.SourceRecord, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list source records: %w", err)
	}
	filter := bson.D{{Key: "v.orgid", Value: orgID}}
	if f.Stream != "" {
		filter = append(filter, bson.E{Key: "v.stream", Value: f.Stream})
	}
	if f.CustomerID != "" {
		filter = append(filter, bson.E{Key: "v.customerid", Value: f.CustomerID})
	}
	if after {
		filter = append(filter, bson.E{Key: "rk", Value: bson.D{{Key: "$gt", Value: c.S}}})
	}
	keep := func(store.SourceRecord) bool { return true }
	if f.CustomerID != "" {
		if keep, err = db.ownedOrders(ctx, orgID, f.CustomerID); err != nil {
			return nil, "", wrap("list source records", err)
		}
	}
	out, err := db.collectRecords(ctx, filter, p.Limit+1, keep)
	if err != nil {
		return nil, "", wrap("list source records", err)
	}
	if len(out) <= p.Limit {
		return out, "", nil
	}
	out = out[:p.Limit]
	return out, cursor{S: recordKey(out[p.Limit-1])}.Encode(), nil
}

// ownedOrders returns a test keeping non-order records and the order
// records whose order belongs to the customer.
func (db *DB) ownedOrders(ctx context.Context, orgID, customerID string) (func(store.SourceRecord) bool, error) {
	os, err := findAll[omnify.Order](ctx, db.c(colOrders),
		bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.customerid", Value: customerID}}, bson.D{{Key: "_id", Value: 1}})
	if err != nil {
		return nil, err
	}
	owned := make(map[string]bool, len(os))
	for _, o := range os {
		owned[o.Platform+"\x01"+o.ExternalID] = true
	}
	return func(r store.SourceRecord) bool {
		return r.Stream != "orders" || owned[r.Platform+"\x01"+r.ExternalID]
	}, nil
}

// collectRecords reads records in key order until n pass keep.
func (db *DB) collectRecords(ctx context.Context, filter bson.D, n int, keep func(store.SourceRecord) bool) ([]store.SourceRecord, error) {
	cur, err := db.c(colRecords).Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "rk", Value: 1}}))
	if err != nil {
		return nil, err
	}
	defer cur.Close(ctx)
	var out []store.SourceRecord
	for len(out) < n && cur.Next(ctx) {
		var d doc[store.SourceRecord]
		if err := cur.Decode(&d); err != nil {
			return nil, err
		}
		if keep(d.V) {
			out = append(out, d.V)
		}
	}
	return out, cur.Err()
}
