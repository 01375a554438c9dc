package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// loadKind turns one kind of item into the documents the store's own
// writes produce: the same collection, key, record and side fields.
type loadKind struct {
	col string
	doc func(it store.Item) (upsert, error)
}

// loadAs decodes an item into a T and builds its upsert.
func loadAs[T any](k func(*T) string, extra func(*T) bson.D) func(store.Item) (upsert, error) {
	return func(it store.Item) (upsert, error) {
		var v T
		if err := it.Decode(&v); err != nil {
			return upsert{}, err
		}
		u, err := newUpsert(k(&v), &v)
		if err != nil {
			return upsert{}, fmt.Errorf("encode %s %s: %w", it.Kind, it.Key, err)
		}
		if extra != nil {
			u.extra = extra(&v)
		}
		return u, nil
	}
}

var loadKinds = map[string]loadKind{
	// Owners are recounted from the memberships once they are loaded.
	store.KindOrg: {colOrgs, loadAs(func(o *omnify.Org) string { return o.ID },
		func(*omnify.Org) bson.D { return bson.D{{Key: "owners", Value: 0}, {Key: "gen", Value: int64(0)}} })},
	store.KindUser: {colUsers, loadAs(func(u *omnify.User) string { return u.ID },
		func(u *omnify.User) bson.D { return bson.D{{Key: "email", Value: u.Email}} })},
	store.KindMembership:   {colMembers, loadAs(func(m *omnify.Membership) string { return key(m.OrgID, m.UserID) }, nil)},
	store.KindRefreshToken: {colTokens, loadAs(func(t *omnify.RefreshToken) string { return t.ID }, nil)},
	store.KindAudit:        {colAudit, loadAs(func(e *omnify.AuditEvent) string { return e.ID }, nil)},
	store.KindCustomer:     {colCustomers, loadAs(func(c *omnify.Customer) string { return key(c.OrgID, c.ID) }, nil)},
	store.KindOrder:        {colOrders, loadAs(func(o *omnify.Order) string { return key(o.OrgID, o.ID) }, nil)},
	store.KindCampaign:     {colCampaigns, loadAs(func(c *omnify.Campaign) string { return key(c.OrgID, c.ID) }, nil)},
	store.KindCampaignMetric: {colMetrics, loadAs(func(m *omnify.CampaignMetric) string {
		return key(m.OrgID, m.CampaignID, strconv.FormatInt(micro(m.Day), 10))
	}, nil)},
	// A job keeps its remaining attempts beside the record (see jobs.go).
	store.KindJob: {colJobs, loadAs(func(j *omnify.Job) string { return j.ID }, func(j *omnify.Job) bson.D {
		return bson.D{{Key: "left", Value: max(j.MaxAttempts-j.Attempts, 0)}, {Key: "gen", Value: int64(0)}}
	})},
	store.KindEyesRun: {colRuns, loadAs(func(r *omnify.EyesRun) string { return key(r.OrgID, r.ID) }, nil)},
	store.KindEyesScore: {colScores, loadAs(func(s *omnify.EyesScore) string {
		return key(s.OrgID, s.RunID, s.CustomerID)
	}, nil)},
	store.KindConnection: {colConns, loadAs(func(c *omnify.Connection) string { return c.ID }, nil)},
	store.KindStreamState: {colStreams, loadAs(func(s *omnify.StreamState) string {
		return key(s.OrgID, s.ConnectionID, s.Stream)
	}, nil)},
	store.KindSyncRun: {colSyncRuns, loadAs(func(r *omnify.SyncRun) string { return r.ID }, nil)},
	store.KindIdentity: {colIdentities, loadAs(func(i *store.Identity) string {
		return key(i.OrgID, i.Platform, i.ExternalID)
	}, nil)},
	store.KindMergeLink: {colLinks, loadAs(func(l *store.MergeLink) string {
		return key(l.OrgID, l.CustomerID, l.IdentityID, l.OtherIdentityID)
	}, nil)},
	store.KindSourceRecord: {colRecords, loadAs(func(r *store.SourceRecord) string { return recordID(r.OrgID, *r) },
		func(r *store.SourceRecord) bson.D { return bson.D{{Key: "rk", Value: recordKey(*r)}} })},
	store.KindAudience: {colAudiences, loadAs(func(a *store.Audience) string {
		return key(a.OrgID, a.ConnectionID, a.Destination)
	}, nil)},
	// store.AudienceMember has the fields of audienceMember, so it is
	// stored alike.
	store.KindAudienceMember: {colAudienceMembers, loadAs(func(m *store.AudienceMember) string {
		return key(m.OrgID, m.ConnectionID, m.Destination, m.CustomerID)
	}, nil)},
}

// Load writes dumped items as the store's own methods would have written
// them, through the same upserts: a record already present is overwritten,
// so loading twice leaves one copy. Afterwards it restores what the store
// keeps beside records: the owner count of every org it touched and the
// idempotency keys of loaded jobs.
func (db *DB) Load(ctx context.Context, items []store.Item) error {
	byKind := map[string][]upsert{}
	orgs := map[string]bool{}
	var jobs []omnify.Job
	for i, it := range items {
		lk, ok := loadKinds[it.Kind]
		if !ok {
			return fmt.Errorf("load: %w", omnify.Invalid(fmt.Sprintf("items[%d].kind", i), "unknown kind %q", it.Kind))
		}
		u, err := lk.doc(it)
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		byKind[it.Kind] = append(byKind[it.Kind], u)
		if err := noteSideData(it, orgs, &jobs); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}
	if err := db.checkEmails(ctx, items); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	for _, kind := range store.Kinds {
		if us := byKind[kind]; len(us) > 0 {
			if err := db.upsertAll(ctx, loadKinds[kind].col, us); err != nil {
				return wrap("load "+kind, err)
			}
		}
	}
	if err := db.loadJobKeys(ctx, jobs); err != nil {
		return wrap("load job idempotency keys", err)
	}
	return wrap("load owner counts", db.recountOwners(ctx, orgs))
}

// noteSideData collects the orgs whose owner count and the jobs whose
// idempotency keys Load must restore.
func noteSideData(it store.Item, orgs map[string]bool, jobs *[]omnify.Job) error {
	switch it.Kind {
	case store.KindOrg:
		var o omnify.Org
		if err := it.Decode(&o); err != nil {
			return err
		}
		orgs[o.ID] = true
	case store.KindMembership:
		var m omnify.Membership
		if err := it.Decode(&m); err != nil {
			return err
		}
		orgs[m.OrgID] = true
	case store.KindJob:
		var j omnify.Job
		if err := it.Decode(&j); err != nil {
			return err
		}
		if j.IdempotencyKey != "" {
			*jobs = append(*jobs, j)
		}
	}
	return nil
}

func (db *DB) loadJobKeys(ctx context.Context, jobs []omnify.Job) error {
	for _, j := range jobs {
		_, err := db.c(colJobKeys).UpdateOne(ctx, bson.D{{Key: "_id", Value: key(j.OrgID, j.IdempotencyKey)}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "jobid", Value: j.ID}}}}, options.UpdateOne().SetUpsert(true))
		if err != nil {
			return err
		}
	}
	return nil
}

// recountOwners sets each org's owner count to its owner memberships.
func (db *DB) recountOwners(ctx context.Context, orgs map[string]bool) error {
	for _, org := range sortedKeys(boolMap(orgs)) {
		n, err := db.c(colMembers).CountDocuments(ctx, bson.D{{Key: "v.orgid", Value: org},
			{Key: "v.role", Value: omnify.RoleOwner}})
		if err != nil {
			return err
		}
		if _, err := db.c(colOrgs).UpdateOne(ctx, bson.D{{Key: "_id", Value: org}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "owners", Value: int(n)}}}}); err != nil {
			return err
		}
	}
	return nil
}

func boolMap(m map[string]bool) map[string]string {
	out := make(map[string]string, len(m))
	for k := range m {
		out[k] = ""
	}
	return out
}

// checkEmails refuses users whose email another user of the target holds:
// upsertAll would take the unique index's refusal for an existing record
// and skip the user.
func (db *DB) checkEmails(ctx context.Context, items []store.Item) error {
	for _, it := range items {
		if it.Kind != store.KindUser {
			continue
		}
		var u omnify.User
		if err := it.Decode(&u); err != nil {
			return err
		}
		got, err := db.GetUserByEmail(ctx, u.Email)
		if errors.Is(err, omnify.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if got.ID != u.ID {
			return fmt.Errorf("user %s: email %s belongs to user %s: %w", u.ID, u.Email, got.ID, omnify.ErrConflict)
		}
	}
	return nil
}
