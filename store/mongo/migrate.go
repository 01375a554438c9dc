package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// index is one index of a collection; fields ascend.
type index struct {
	col    string
	fields []string
	unique bool
}

// indexes lists every index the store's queries rely on. Org-scoped
// collections lead with the org, so one org's queries never scan another's
// records. Unique keys that are not already document keys (_id) are here
// too: user emails, refresh-token hashes, identity external IDs, EYES run
// versions. Idempotency keys and the other composite keys are document
// keys, unique by construction.
var indexes = []index{
	{colUsers, []string{"email"}, true},
	{colMembers, []string{"v.orgid", "v.createdat", "v.userid"}, false},
	{colMembers, []string{"v.userid", "v.createdat"}, false},
	{colTokens, []string{"v.tokenhash"}, true},
	{colTokens, []string{"v.familyid"}, false},
	{colAudit, []string{"v.orgid", "v.createdat", "v.id"}, false},
	{colCustomers, []string{"v.orgid", "v.id"}, false},
	{colCustomers, []string{"v.orgid", "v.email"}, false},
	{colOrders, []string{"v.orgid", "v.customerid", "v.placedat", "v.id"}, false},
	{colCampaigns, []string{"v.orgid", "v.id"}, false},
	{colMetrics, []string{"v.orgid", "v.day", "v.campaignid"}, false},
	{colJobs, []string{"v.status", "v.runat", "v.createdat"}, false},
	{colJobs, []string{"v.orgid", "v.createdat", "v.id"}, false},
	{colRuns, []string{"v.orgid", "v.version"}, true},
	{colScores, []string{"v.orgid", "v.runid", "v.customerid"}, false},
	{colConns, []string{"v.orgid", "v.createdat", "v.id"}, false},
	{colConns, []string{"v.scheduleevery", "v.nextretryat"}, false},
	{colStreams, []string{"v.orgid", "v.connectionid", "v.stream"}, false},
	{colSyncRuns, []string{"v.orgid", "v.connectionid", "v.createdat", "v.id"}, false},
	{colIdentities, []string{"v.orgid", "v.platform", "v.externalid"}, true},
	{colIdentities, []string{"v.orgid", "v.id"}, false},
	{colIdentities, []string{"v.orgid", "v.customerid"}, false},
	{colIdentities, []string{"v.orgid", "v.email"}, false},
	{colIdentities, []string{"v.orgid", "v.phone"}, false},
	{colLinks, []string{"v.orgid", "v.customerid"}, false},
	{colRecords, []string{"v.orgid", "rk"}, false},
	{colRecords, []string{"v.orgid", "v.customerid"}, false},
	{colRecords, []string{"v.orgid", "v.stream", "v.identityid"}, false},
}

// Migrate creates the collections' indexes. It is idempotent: creating an
// index that exists with the same definition does nothing.
func (db *DB) Migrate(ctx context.Context) error {
	byCol := map[string][]mongo.IndexModel{}
	var order []string
	for _, ix := range indexes {
		keys := bson.D{}
		for _, f := range ix.fields {
			keys = append(keys, bson.E{Key: f, Value: 1})
		}
		m := mongo.IndexModel{Keys: keys}
		if ix.unique {
			m.Options = options.Index().SetUnique(true)
		}
		if _, ok := byCol[ix.col]; !ok {
			order = append(order, ix.col)
		}
		byCol[ix.col] = append(byCol[ix.col], m)
	}
	for _, col := range order {
		if _, err := db.c(col).Indexes().CreateMany(ctx, byCol[col]); err != nil {
			return fmt.Errorf("migrate mongo: indexes of %s: %w", col, err)
		}
	}
	return nil
}
