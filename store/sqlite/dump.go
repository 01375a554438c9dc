package sqlite

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var _ store.Dumper = (*DB)(nil)

// dumpQuery lists one kind of record of one org (users: of every org)
// ordered by the table's primary key.
type dumpQuery struct {
	kind  string
	query string // one "?" for the org ID
	item  func(scanner) (store.Item, error)
}

// Dump lists the orgs' records from one read transaction, so the items
// are a consistent snapshot even while the server keeps writing.
func (db *DB) Dump(ctx context.Context, orgIDs []string, fn func(store.Item) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrap("dump", err)
	}
	defer func() { _ = tx.Rollback() }()
	orgIDs = uniqueIDs(orgIDs)
	for _, q := range dumpQueries {
		if q.kind == store.KindUser {
			if err := dumpUsers(ctx, tx, orgIDs, fn); err != nil {
				return err
			}
			continue
		}
		for _, org := range orgIDs {
			if err := dumpRows(ctx, tx, q, fn, org); err != nil {
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

func dumpRows(ctx context.Context, tx *sql.Tx, q dumpQuery, fn func(store.Item) error, args ...any) error {
	rows, err := tx.QueryContext(ctx, q.query, args...)
	if err != nil {
		return wrap("dump "+q.kind, err)
	}
	return stream(rows, q.item, fn, "dump "+q.kind)
}

// dumpUsers lists the members of the orgs, each once, by ID.
func dumpUsers(ctx context.Context, tx *sql.Tx, orgIDs []string, fn func(store.Item) error) error {
	if len(orgIDs) == 0 {
		return nil
	}
	args := make([]any, len(orgIDs))
	for i, id := range orgIDs {
		args[i] = id
	}
	q := dumpQuery{kind: store.KindUser, query: `SELECT ` + userCols + ` FROM users WHERE id IN
		(SELECT user_id FROM memberships WHERE org_id IN (` + placeholders(len(orgIDs)) + `)) ORDER BY id`,
		item: func(r scanner) (store.Item, error) {
			u, err := scanUser(r)
			if err != nil {
				return store.Item{}, err
			}
			return store.NewItem(store.KindUser, u, u.ID)
		}}
	return dumpRows(ctx, tx, q, fn, args...)
}

// itemOf adapts a record scanner to an item scanner.
func itemOf[T any](kind string, scan func(scanner) (T, error), key func(T) []string) func(scanner) (store.Item, error) {
	return func(r scanner) (store.Item, error) {
		v, err := scan(r)
		if err != nil {
			return store.Item{}, err
		}
		return store.NewItem(kind, v, key(v)...)
	}
}

func ptrScan[T any](scan func(scanner) (*T, error)) func(scanner) (T, error) {
	return func(r scanner) (T, error) {
		p, err := scan(r)
		if err != nil {
			var zero T
			return zero, err
		}
		return *p, nil
	}
}

func microKey(t interface{ UnixMicro() int64 }) string { return strconv.FormatInt(t.UnixMicro(), 10) }

// dumpQueries lists every table in dump order (store.Kinds).
var dumpQueries = []dumpQuery{
	{store.KindOrg, `SELECT id, name, created_at, display_name, primary_color, logo_url FROM orgs WHERE id = ?`,
		itemOf(store.KindOrg, scanOrg, func(o omnify.Org) []string { return []string{o.ID} })},
	{kind: store.KindUser},
	{store.KindMembership, `SELECT ` + memberCols + ` FROM memberships WHERE org_id = ? ORDER BY user_id`,
		itemOf(store.KindMembership, scanMember, func(m omnify.Membership) []string { return []string{m.OrgID, m.UserID} })},
	{store.KindRefreshToken, `SELECT ` + tokenCols + ` FROM refresh_tokens WHERE org_id = ? ORDER BY id`,
		itemOf(store.KindRefreshToken, ptrScan(scanToken), func(t omnify.RefreshToken) []string { return []string{t.ID} })},
	{store.KindAudit, `SELECT ` + auditCols + ` FROM audit_events WHERE org_id = ? ORDER BY id`,
		itemOf(store.KindAudit, scanAudit, func(e omnify.AuditEvent) []string { return []string{e.ID} })},
	{store.KindCustomer, `SELECT ` + customerCols + ` FROM customers WHERE org_id = ? ORDER BY id`,
		itemOf(store.KindCustomer, scanCustomer, func(c omnify.Customer) []string { return []string{c.OrgID, c.ID} })},
	{store.KindOrder, `SELECT ` + orderCols + ` FROM orders WHERE org_id = ? ORDER BY id`,
		itemOf(store.KindOrder, scanOrder, func(o omnify.Order) []string { return []string{o.OrgID, o.ID} })},
	{store.KindCampaign, `SELECT ` + campaignCols + ` FROM campaigns WHERE org_id = ? ORDER BY id`,
		itemOf(store.KindCampaign, scanCampaign, func(c omnify.Campaign) []string { return []string{c.OrgID, c.ID} })},
	{store.KindCampaignMetric, `SELECT ` + metricCols + ` FROM campaign_metrics WHERE org_id = ? ORDER BY campaign_id, day`,
		itemOf(store.KindCampaignMetric, scanMetric, func(m omnify.CampaignMetric) []string {
			return []string{m.OrgID, m.CampaignID, microKey(m.Day)}
		})},
	{store.KindJob, `SELECT ` + jobCols + ` FROM jobs WHERE org_id = ? ORDER BY id`,
		itemOf(store.KindJob, scanJob, func(j omnify.Job) []string { return []string{j.ID} })},
	{store.KindEyesRun, `SELECT ` + runCols + ` FROM eyes_runs WHERE org_id = ? ORDER BY id`,
		itemOf(store.KindEyesRun, scanRun, func(r omnify.EyesRun) []string { return []string{r.OrgID, r.ID} })},
	{store.KindEyesScore, `SELECT ` + scoreCols + ` FROM eyes_scores WHERE org_id = ? ORDER BY run_id, customer_id`,
		itemOf(store.KindEyesScore, scanScore, func(s omnify.EyesScore) []string { return []string{s.OrgID, s.RunID, s.CustomerID} })},
	{store.KindConnection, `SELECT ` + connCols + ` FROM connections WHERE org_id = ? ORDER BY id`,
		itemOf(store.KindConnection, scanConnection, func(c omnify.Connection) []string { return []string{c.ID} })},
	{store.KindStreamState, `SELECT org_id, connection_id, stream, state, version, updated_at FROM stream_states
		WHERE org_id = ? ORDER BY connection_id, stream`,
		itemOf(store.KindStreamState, scanStreamState, func(s omnify.StreamState) []string {
			return []string{s.OrgID, s.ConnectionID, s.Stream}
		})},
	{store.KindSyncRun, `SELECT ` + syncCols + ` FROM sync_runs WHERE org_id = ? ORDER BY id`,
		itemOf(store.KindSyncRun, scanSyncRun, func(r omnify.SyncRun) []string { return []string{r.ID} })},
	{store.KindIdentity, `SELECT ` + identityCols + ` FROM identities INDEXED BY identities_external
		WHERE org_id = ? ORDER BY platform, external_id`,
		itemOf(store.KindIdentity, scanIdentity, func(i store.Identity) []string {
			return []string{i.OrgID, i.Platform, i.ExternalID}
		})},
	{store.KindMergeLink, `SELECT org_id, customer_id, identity_id, other_identity_id, reason FROM merge_links
		WHERE org_id = ? ORDER BY customer_id, identity_id, other_identity_id`,
		itemOf(store.KindMergeLink, scanMergeLink, func(l store.MergeLink) []string {
			return []string{l.OrgID, l.CustomerID, l.IdentityID, l.OtherIdentityID}
		})},
	{store.KindSourceRecord, `SELECT ` + sourceRecordCols + ` FROM source_records WHERE org_id = ?
		ORDER BY platform, stream, external_id`,
		itemOf(store.KindSourceRecord, scanSourceRecord, func(r store.SourceRecord) []string {
			return []string{r.OrgID, r.Platform, r.Stream, r.ExternalID}
		})},
	{store.KindAudience, `SELECT org_id, connection_id, destination, destination_id, updated_at FROM audiences
		WHERE org_id = ? ORDER BY connection_id, destination`,
		itemOf(store.KindAudience, scanAudience, func(a store.Audience) []string {
			return []string{a.OrgID, a.ConnectionID, a.Destination}
		})},
	{store.KindAudienceMember, `SELECT org_id, connection_id, destination, customer_id, added_at FROM audience_members
		WHERE org_id = ? ORDER BY connection_id, destination, customer_id`,
		itemOf(store.KindAudienceMember, scanAudienceMember, func(m store.AudienceMember) []string {
			return []string{m.OrgID, m.ConnectionID, m.Destination, m.CustomerID}
		})},
}

func scanOrg(r scanner) (omnify.Org, error) {
	var o omnify.Org
	var created int64
	b := &o.Branding
	err := r.Scan(&o.ID, &o.Name, &created, &b.DisplayName, &b.PrimaryColor, &b.LogoURL)
	o.CreatedAt = fromMicro(created)
	return o, err
}

func scanMergeLink(r scanner) (store.MergeLink, error) {
	var l store.MergeLink
	return l, r.Scan(&l.OrgID, &l.CustomerID, &l.IdentityID, &l.OtherIdentityID, &l.Reason)
}

func scanAudience(r scanner) (store.Audience, error) {
	var a store.Audience
	var updated int64
	err := r.Scan(&a.OrgID, &a.ConnectionID, &a.Destination, &a.DestinationID, &updated)
	a.UpdatedAt = fromMicro(updated)
	return a, err
}

func scanAudienceMember(r scanner) (store.AudienceMember, error) {
	var m store.AudienceMember
	var added int64
	err := r.Scan(&m.OrgID, &m.ConnectionID, &m.Destination, &m.CustomerID, &added)
	m.AddedAt = fromMicro(added)
	return m, err
}

// OrgIDs lists the ID of every org, in ID order: the orgs a whole-store
// copy moves.
func (db *DB) OrgIDs(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM orgs ORDER BY id`)
	if err != nil {
		return nil, wrap("list org ids", err)
	}
	var ids []string
	err = stream(rows, func(r scanner) (string, error) {
		var id string
		return id, r.Scan(&id)
	}, func(id string) error {
		ids = append(ids, id)
		return nil
	}, "list org ids")
	return ids, err
}
