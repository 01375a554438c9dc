package mongo

import (
	"context"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

func (db *DB) UpsertCustomers(ctx context.Context, orgID string, cs []omnify.Customer) error {
	if err := requireIDs("customers", len(cs), func(i int) string { return cs[i].ID }); err != nil {
		return fmt.Errorf("upsert customers: %w", err)
	}
	ms := make([]upsert, 0, len(cs))
	for _, c := range cs {
		c.OrgID = orgID
		c.CreatedAt = db.stamp(c.CreatedAt)
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = c.CreatedAt
		}
		m, err := newUpsert(key(orgID, c.ID), c, "createdat")
		if err != nil {
			return fmt.Errorf("upsert customers: %w", err)
		}
		ms = append(ms, m)
	}
	return wrap("upsert customers", db.upsertAll(ctx, colCustomers, ms))
}

func (db *DB) GetCustomer(ctx context.Context, orgID, id string) (*omnify.Customer, error) {
	c, err := findOne[omnify.Customer](ctx, db.c(colCustomers), bson.D{{Key: "_id", Value: key(orgID, id)}})
	return c, wrap("get customer", err)
}

// GetCustomers looks the ids up with one $in on the document key, which
// holds the org ID: another org's customers cannot match. FerretDB v1 does
// not use the key index for $in, yet on 5,000 customers one $in of 50 IDs
// still took 0.55 s against 0.81 s for 50 single lookups.
func (db *DB) GetCustomers(ctx context.Context, orgID string, ids []string) ([]omnify.Customer, error) {
	if err := store.CheckIDs(ids); err != nil {
		return nil, fmt.Errorf("get customers: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make(bson.A, len(ids))
	for i, id := range ids {
		keys[i] = key(orgID, id)
	}
	cs, err := findAll[omnify.Customer](ctx, db.c(colCustomers), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}}, nil)
	return cs, wrap("get customers", err)
}

func (db *DB) ListCustomers(ctx context.Context, orgID string, f store.CustomerFilter, p store.Page) ([]omnify.Customer, string, error) {
	filter := bson.D{{Key: "v.orgid", Value: orgID}}
	if f.Email != "" {
		filter = append(filter, bson.E{Key: "v.email", Value: f.Email})
	}
	if f.Platform != "" {
		filter = append(filter, bson.E{Key: "v.platforms", Value: f.Platform})
	}
	cs, next, err := listing[omnify.Customer]{
		col: db.c(colCustomers), filter: filter,
		keys: []sortKey{{"v.id", byS}},
		key:  func(c omnify.Customer) cursor { return cursor{S: c.ID} },
	}.page(ctx, p)
	return cs, next, wrap("list customers", err)
}

func (db *DB) ScanCustomers(ctx context.Context, orgID string, fn func(omnify.Customer) error) error {
	// Scans are unordered: a server without index-backed sorts (FerretDB
	// v1) would otherwise hold the whole result in memory to sort it.
	return scan(ctx, db.c(colCustomers), bson.D{{Key: "v.orgid", Value: orgID}}, nil, fn, "scan customers")
}

func (db *DB) CountCustomers(ctx context.Context, orgID string) (int, error) {
	n, err := db.c(colCustomers).CountDocuments(ctx, bson.D{{Key: "v.orgid", Value: orgID}})
	return int(n), wrap("count customers", err)
}

func (db *DB) UpsertOrders(ctx context.Context, orgID string, os []omnify.Order) error {
	if err := requireIDs("orders", len(os), func(i int) string { return os[i].ID }); err != nil {
		return fmt.Errorf("upsert orders: %w", err)
	}
	ms, err := orderModels(orgID, os)
	if err != nil {
		return fmt.Errorf("upsert orders: %w", err)
	}
	return wrap("upsert orders", db.upsertAll(ctx, colOrders, ms))
}

func orderModels(orgID string, os []omnify.Order) ([]upsert, error) {
	ms := make([]upsert, 0, len(os))
	for _, o := range os {
		o.OrgID = orgID
		m, err := newUpsert(key(orgID, o.ID), o)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}

func (db *DB) ListOrders(ctx context.Context, orgID, customerID string, p store.Page) ([]omnify.Order, string, error) {
	os, next, err := listing[omnify.Order]{
		col:    db.c(colOrders),
		filter: bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.customerid", Value: customerID}},
		keys:   []sortKey{{"v.placedat", byT}, {"v.id", byS}},
		key:    func(o omnify.Order) cursor { return cursor{T: micro(o.PlacedAt), S: o.ID} },
	}.page(ctx, p)
	return os, next, wrap("list orders", err)
}

func (db *DB) ScanOrders(ctx context.Context, orgID string, fn func(omnify.Order) error) error {
	return scan(ctx, db.c(colOrders), bson.D{{Key: "v.orgid", Value: orgID}}, nil, fn, "scan orders")
}

func (db *DB) UpsertCampaigns(ctx context.Context, orgID string, cs []omnify.Campaign) error {
	if err := requireIDs("campaigns", len(cs), func(i int) string { return cs[i].ID }); err != nil {
		return fmt.Errorf("upsert campaigns: %w", err)
	}
	ms := make([]upsert, 0, len(cs))
	for _, c := range cs {
		c.OrgID = orgID
		m, err := newUpsert(key(orgID, c.ID), c)
		if err != nil {
			return fmt.Errorf("upsert campaigns: %w", err)
		}
		ms = append(ms, m)
	}
	return wrap("upsert campaigns", db.upsertAll(ctx, colCampaigns, ms))
}

// UpsertCampaignMetrics checks every metric's campaign before writing any,
// so a batch naming an unknown campaign changes nothing.
func (db *DB) UpsertCampaignMetrics(ctx context.Context, orgID string, ms []omnify.CampaignMetric) error {
	ids := map[string]bool{}
	for _, m := range ms {
		ids[key(orgID, m.CampaignID)] = true
	}
	if err := db.requireKeys(ctx, colCampaigns, ids); err != nil {
		return fmt.Errorf("upsert campaign metrics: %w", err)
	}
	models := make([]upsert, 0, len(ms))
	for _, m := range ms {
		m.OrgID = orgID
		wm, err := newUpsert(key(orgID, m.CampaignID, strconv.FormatInt(micro(m.Day), 10)), m)
		if err != nil {
			return fmt.Errorf("upsert campaign metrics: %w", err)
		}
		models = append(models, wm)
	}
	return wrap("upsert campaign metrics", db.upsertAll(ctx, colMetrics, models))
}

// requireKeys returns ErrNotFound unless every key names a document of col.
func (db *DB) requireKeys(ctx context.Context, col string, keys map[string]bool) error {
	if len(keys) == 0 {
		return nil
	}
	in := make(bson.A, 0, len(keys))
	for k := range keys {
		in = append(in, k)
	}
	n, err := db.c(col).CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: in}}}})
	if err != nil {
		return classify(err)
	}
	if int(n) != len(keys) {
		return fmt.Errorf("referenced record missing: %w", omnify.ErrNotFound)
	}
	return nil
}

func (db *DB) ListCampaigns(ctx context.Context, orgID string, p store.Page) ([]omnify.Campaign, string, error) {
	cs, next, err := listing[omnify.Campaign]{
		col: db.c(colCampaigns), filter: bson.D{{Key: "v.orgid", Value: orgID}},
		keys: []sortKey{{"v.id", byS}},
		key:  func(c omnify.Campaign) cursor { return cursor{S: c.ID} },
	}.page(ctx, p)
	return cs, next, wrap("list campaigns", err)
}

func (db *DB) ListCampaignMetrics(ctx context.Context, orgID string, f store.MetricFilter) ([]omnify.CampaignMetric, error) {
	filter := bson.D{{Key: "v.orgid", Value: orgID}}
	if f.CampaignID != "" {
		filter = append(filter, bson.E{Key: "v.campaignid", Value: f.CampaignID})
	}
	if r := timeRange(f.Since, f.Until); r != nil {
		filter = append(filter, bson.E{Key: "v.day", Value: r})
	}
	ms, err := findAll[omnify.CampaignMetric](ctx, db.c(colMetrics), filter,
		bson.D{{Key: "v.day", Value: 1}, {Key: "v.campaignid", Value: 1}})
	return ms, wrap("list campaign metrics", err)
}
