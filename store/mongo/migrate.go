package mongo

import (
	"context"
	"errors"
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
	{colAudienceMembers, []string{"v.orgid", "v.connectionid", "v.destination", "v.customerid"}, false},
}

// Migrate creates the indexes that do not exist yet, one at a time: it
// runs at every start-up, and FerretDB v1 drops the connection when a
// createIndexes command repeats an existing index beside a new one.
func (db *DB) Migrate(ctx context.Context) error {
	existing := map[string]map[string]bool{}
	for _, ix := range indexes {
		names, ok := existing[ix.col]
		if !ok {
			var err error
			if names, err = db.indexNames(ctx, ix.col); err != nil {
				return fmt.Errorf("migrate mongo: indexes of %s: %w", ix.col, err)
			}
			existing[ix.col] = names
		}
		keys, name := bson.D{}, ""
		for i, f := range ix.fields {
			keys = append(keys, bson.E{Key: f, Value: 1})
			if i > 0 {
				name += "_"
			}
			name += f + "_1"
		}
		if names[name] {
			continue
		}
		opts := options.Index().SetName(name)
		if ix.unique {
			opts.SetUnique(true)
		}
		if _, err := db.c(ix.col).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: keys, Options: opts}); err != nil {
			return fmt.Errorf("migrate mongo: index %s of %s: %w", name, ix.col, err)
		}
		names[name] = true
	}
	return nil
}

// indexNames lists the names of a collection's indexes; none when the
// collection does not exist yet.
func (db *DB) indexNames(ctx context.Context, col string) (map[string]bool, error) {
	names := map[string]bool{}
	cur, err := db.c(col).Indexes().List(ctx)
	if err != nil {
		return names, ignoreNamespaceNotFound(err)
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, err
	}
	for _, s := range specs {
		names[s.Name] = true
	}
	return names, nil
}

// ignoreNamespaceNotFound treats listing a missing collection as empty.
func ignoreNamespaceNotFound(err error) error {
	var ce mongo.CommandError
	if errors.As(err, &ce) && ce.Code == 26 {
		return nil
	}
	return err
}
