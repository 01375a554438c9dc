package mongo

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var (
	_ store.Dumper = (*DB)(nil)
	_ store.Loader = (*DB)(nil)
)

// dumpKind lists one kind of record of one org in the order of its
// primary key in every backend. Collections sort by _id, whose parts are
// the key's columns, or, for the large ones, by the fields of the org's
// index that give the same order, so the server need not sort in memory.
type dumpKind struct {
	kind string
	item func(ctx context.Context, db *DB, orgID string, fn func(store.Item) error) error
}

var byID = bson.D{{Key: "_id", Value: 1}}

func fields(fs ...string) bson.D {
	d := bson.D{}
	for _, f := range fs {
		d = append(d, bson.E{Key: f, Value: 1})
	}
	return d
}

// dumpEach streams the org's documents of col as items.
func dumpEach[T any](kind, col string, sort bson.D, keyOf func(T) []string) func(context.Context, *DB, string, func(store.Item) error) error {
	return func(ctx context.Context, db *DB, orgID string, fn func(store.Item) error) error {
		filter := bson.D{{Key: "v.orgid", Value: orgID}}
		if kind == store.KindOrg {
			filter = bson.D{{Key: "_id", Value: orgID}}
		}
		return scan(ctx, db.c(col), filter, sort, func(v T) error {
			it, err := store.NewItem(kind, v, keyOf(v)...)
			if err != nil {
				return err
			}
			return fn(it)
		}, "dump "+kind)
	}
}

var dumpKinds = []dumpKind{
	{kind: store.KindOrg, item: dumpEach(store.KindOrg, colOrgs, byID, func(o omnify.Org) []string { return []string{o.ID} })},
	{kind: store.KindUser}, // all orgs at once: see dumpUsers
	{kind: store.KindMembership, item: dumpEach(store.KindMembership, colMembers, byID,
		func(m omnify.Membership) []string { return []string{m.OrgID, m.UserID} })},
	{kind: store.KindRefreshToken, item: dumpEach(store.KindRefreshToken, colTokens, byID,
		func(t omnify.RefreshToken) []string { return []string{t.ID} })},
	{kind: store.KindAudit, item: dumpEach(store.KindAudit, colAudit, byID,
		func(e omnify.AuditEvent) []string { return []string{e.ID} })},
	{kind: store.KindCustomer, item: dumpEach(store.KindCustomer, colCustomers, fields("v.id"),
		func(c omnify.Customer) []string { return []string{c.OrgID, c.ID} })},
	{kind: store.KindOrder, item: dumpEach(store.KindOrder, colOrders, byID,
		func(o omnify.Order) []string { return []string{o.OrgID, o.ID} })},
	{kind: store.KindCampaign, item: dumpEach(store.KindCampaign, colCampaigns, byID,
		func(c omnify.Campaign) []string { return []string{c.OrgID, c.ID} })},
	// Metric keys end in the day as a decimal number, which sorts as text.
	{kind: store.KindCampaignMetric, item: dumpEach(store.KindCampaignMetric, colMetrics, fields("v.campaignid", "v.day"),
		func(m omnify.CampaignMetric) []string {
			return []string{m.OrgID, m.CampaignID, strconv.FormatInt(micro(m.Day), 10)}
		})},
	{kind: store.KindJob, item: dumpEach(store.KindJob, colJobs, byID, func(j omnify.Job) []string { return []string{j.ID} })},
	{kind: store.KindEyesRun, item: dumpEach(store.KindEyesRun, colRuns, byID,
		func(r omnify.EyesRun) []string { return []string{r.OrgID, r.ID} })},
	{kind: store.KindEyesScore, item: dumpEach(store.KindEyesScore, colScores, fields("v.runid", "v.customerid"),
		func(s omnify.EyesScore) []string { return []string{s.OrgID, s.RunID, s.CustomerID} })},
	{kind: store.KindConnection, item: dumpEach(store.KindConnection, colConns, byID,
		func(c omnify.Connection) []string { return []string{c.ID} })},
	{kind: store.KindStreamState, item: dumpEach(store.KindStreamState, colStreams, byID,
		func(s omnify.StreamState) []string { return []string{s.OrgID, s.ConnectionID, s.Stream} })},
	{kind: store.KindSyncRun, item: dumpEach(store.KindSyncRun, colSyncRuns, byID,
		func(r omnify.SyncRun) []string { return []string{r.ID} })},
	{kind: store.KindIdentity, item: dumpEach(store.KindIdentity, colIdentities, fields("v.platform", "v.externalid"),
		func(i store.Identity) []string { return []string{i.OrgID, i.Platform, i.ExternalID} })},
	{kind: store.KindMergeLink, item: dumpEach(store.KindMergeLink, colLinks, byID,
		func(l store.MergeLink) []string {
			return []string{l.OrgID, l.CustomerID, l.IdentityID, l.OtherIdentityID}
		})},
	{kind: store.KindSourceRecord, item: dumpEach(store.KindSourceRecord, colRecords, fields("rk"),
		func(r store.SourceRecord) []string { return []string{r.OrgID, r.Platform, r.Stream, r.ExternalID} })},
	{kind: store.KindAudience, item: dumpEach(store.KindAudience, colAudiences, byID,
		func(a store.Audience) []string { return []string{a.OrgID, a.ConnectionID, a.Destination} })},
	{kind: store.KindAudienceMember, item: dumpEach(store.KindAudienceMember, colAudienceMembers,
		fields("v.connectionid", "v.destination", "v.customerid"),
		func(m store.AudienceMember) []string {
			return []string{m.OrgID, m.ConnectionID, m.Destination, m.CustomerID}
		})},
}

// Dump lists the orgs' records kind by kind. Without transactions it is
// not a snapshot: stop writers first for a consistent copy.
func (db *DB) Dump(ctx context.Context, orgIDs []string, fn func(store.Item) error) error {
	orgIDs = uniqueIDs(orgIDs)
	for _, k := range dumpKinds {
		if k.kind == store.KindUser {
			if err := db.dumpUsers(ctx, orgIDs, fn); err != nil {
				return err
			}
			continue
		}
		for _, org := range orgIDs {
			if err := k.item(ctx, db, org, fn); err != nil {
				return err
			}
		}
	}
	return nil
}

func uniqueIDs(ids []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// dumpUsers lists the members of the orgs, each once, by ID.
func (db *DB) dumpUsers(ctx context.Context, orgIDs []string, fn func(store.Item) error) error {
	if len(orgIDs) == 0 {
		return nil
	}
	ms, err := findAll[omnify.Membership](ctx, db.c(colMembers),
		bson.D{{Key: "v.orgid", Value: bson.D{{Key: "$in", Value: strs(orgIDs)}}}}, nil)
	if err != nil {
		return wrap("dump users", err)
	}
	seen := map[string]bool{}
	var ids []string
	for _, m := range ms {
		if !seen[m.UserID] {
			seen[m.UserID] = true
			ids = append(ids, m.UserID)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		u, err := db.GetUser(ctx, id)
		if err != nil {
			return fmt.Errorf("dump users: member %s: %w", id, err)
		}
		it, err := store.NewItem(store.KindUser, u, u.ID)
		if err != nil {
			return err
		}
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}
