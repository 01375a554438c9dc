package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var _ store.Loader = (*DB)(nil)

// loadTable writes one kind of item into its table: an insert that
// overwrites every column of an existing row with the same primary key.
type loadTable struct {
	table, cols, pk string
	args            func(it store.Item) ([]any, error)
}

func (l loadTable) sql() string {
	var set []string
	pk := map[string]bool{}
	for _, c := range strings.Split(l.pk, ",") {
		pk[strings.TrimSpace(c)] = true
	}
	n := 0
	for _, c := range strings.Split(l.cols, ",") {
		c = strings.TrimSpace(c)
		n++
		if !pk[c] {
			set = append(set, c+" = excluded."+c)
		}
	}
	return `INSERT INTO ` + l.table + ` (` + l.cols + `) VALUES (` + placeholders(n) + `) ON CONFLICT (` + l.pk +
		`) DO UPDATE SET ` + strings.Join(set, ", ")
}

// decodeArgs decodes an item into a T and lists its column values.
func decodeArgs[T any](args func(*T) []any) func(store.Item) ([]any, error) {
	return func(it store.Item) ([]any, error) {
		var v T
		if err := it.Decode(&v); err != nil {
			return nil, err
		}
		return args(&v), nil
	}
}

// loadTables encodes records as the store's own writes do (values.go).
var loadTables = map[string]loadTable{
	store.KindOrg: {"orgs", `id, name, created_at, display_name, primary_color, logo_url`, "id",
		decodeArgs(func(o *omnify.Org) []any {
			return []any{o.ID, o.Name, micro(o.CreatedAt), o.Branding.DisplayName, o.Branding.PrimaryColor, o.Branding.LogoURL}
		})},
	store.KindUser: {"users", userCols, "id", decodeArgs(func(u *omnify.User) []any {
		return []any{u.ID, u.Email, u.PasswordHash, micro(u.CreatedAt)}
	})},
	store.KindMembership: {"memberships", memberCols, "org_id, user_id", decodeArgs(func(m *omnify.Membership) []any {
		return []any{m.OrgID, m.UserID, string(m.Role), micro(m.CreatedAt)}
	})},
	store.KindRefreshToken: {"refresh_tokens", tokenCols, "id", decodeArgs(func(t *omnify.RefreshToken) []any {
		return []any{t.ID, t.FamilyID, t.UserID, t.OrgID, t.TokenHash, micro(t.CreatedAt), micro(t.ExpiresAt),
			nullMicro(t.UsedAt), nullMicro(t.RevokedAt)}
	})},
	store.KindAudit: {"audit_events", auditCols, "id", decodeArgs(func(e *omnify.AuditEvent) []any {
		return []any{e.ID, e.OrgID, e.ActorID, e.Action, e.Target, e.IP, e.UserAgent, e.RequestID, mapJSON(e.Details),
			micro(e.CreatedAt)}
	})},
	store.KindCustomer: {"customers", customerCols, "org_id, id", decodeArgs(func(c *omnify.Customer) []any {
		return []any{c.OrgID, c.ID, c.Email, c.Name, c.Phone, string(c.Consent), stringsJSON(c.Platforms),
			micro(c.CreatedAt), micro(c.UpdatedAt)}
	})},
	store.KindOrder: {"orders", orderCols, "org_id, id", decodeArgs(func(o *omnify.Order) []any {
		return []any{o.OrgID, o.ID, o.CustomerID, o.Platform, o.ExternalID, micro(o.PlacedAt), o.AmountMinor, o.Currency}
	})},
	store.KindCampaign: {"campaigns", campaignCols, "org_id, id", decodeArgs(func(c *omnify.Campaign) []any {
		return []any{c.OrgID, c.ID, c.Platform, c.Channel, c.Name}
	})},
	store.KindCampaignMetric: {"campaign_metrics", metricCols, "org_id, campaign_id, day",
		decodeArgs(func(m *omnify.CampaignMetric) []any {
			return []any{m.OrgID, m.CampaignID, micro(m.Day), m.SpendMinor, m.Impressions, m.Clicks, m.Conversions,
				m.RevenueMinor, m.Currency}
		})},
	store.KindJob: {"jobs", jobCols, "id", decodeArgs(jobArgs)},
	store.KindEyesRun: {"eyes_runs", runCols, "id", decodeArgs(func(r *omnify.EyesRun) []any {
		return []any{r.ID, r.OrgID, r.Version, r.JobID, string(r.Status), micro(r.AsOf), rawJSON(r.Report), r.Error,
			r.CreatedBy, micro(r.CreatedAt), nullMicro(r.FinishedAt)}
	})},
	store.KindEyesScore: {"eyes_scores", scoreCols, "run_id, customer_id", decodeArgs(func(s *omnify.EyesScore) []any {
		return []any{s.RunID, s.OrgID, s.CustomerID, s.SegmentID, s.SegmentName, s.Cluster, s.RFMSegment,
			s.Churn30, s.Churn60, s.Churn90, s.PAlive, s.ExpectedCLV, stringsJSON(s.Reasons), s.X, s.Y, string(s.Consent)}
	})},
	store.KindConnection: {"connections", connCols, "id", decodeArgs(func(c *omnify.Connection) []any {
		return []any{c.ID, c.OrgID, c.Platform, c.Name, nonNilBytes(c.CredentialsCiphertext), mapJSON(c.Config),
			string(c.Health), c.LastError, c.Failures, micro(c.NextRetryAt), micro(c.LastSyncAt), int64(c.ScheduleEvery),
			micro(c.CreatedAt), micro(c.UpdatedAt)}
	})},
	store.KindStreamState: {"stream_states", `org_id, connection_id, stream, state, version, updated_at`,
		"org_id, connection_id, stream", decodeArgs(func(s *omnify.StreamState) []any {
			return []any{s.OrgID, s.ConnectionID, s.Stream, rawJSON(s.State), s.Version, micro(s.UpdatedAt)}
		})},
	store.KindSyncRun: {"sync_runs", syncCols, "id", syncRunArgs},
	store.KindIdentity: {"identities", identityCols, "org_id, id", decodeArgs(func(i *store.Identity) []any {
		return []any{i.OrgID, i.ID, i.Platform, i.ExternalID, i.CustomerID, i.Email, i.Phone, i.Name,
			consentOrUnknown(i.Consent), i.NoMergeGroup, micro(i.UpdatedAt)}
	})},
	store.KindMergeLink: {"merge_links", `org_id, customer_id, identity_id, other_identity_id, reason`,
		"org_id, customer_id, identity_id, other_identity_id", decodeArgs(func(l *store.MergeLink) []any {
			return []any{l.OrgID, l.CustomerID, l.IdentityID, l.OtherIdentityID, l.Reason}
		})},
	store.KindSourceRecord: {"source_records", sourceRecordCols, "org_id, platform, stream, external_id",
		decodeArgs(func(r *store.SourceRecord) []any {
			data := string(r.Data)
			if data == "" {
				data = "null"
			}
			return []any{r.OrgID, r.Platform, r.Stream, r.ExternalID, r.CustomerID, r.IdentityID, micro(r.UpdatedAt), data}
		})},
	store.KindAudience: {"audiences", `org_id, connection_id, destination, destination_id, updated_at`,
		"org_id, connection_id, destination", decodeArgs(func(a *store.Audience) []any {
			return []any{a.OrgID, a.ConnectionID, a.Destination, a.DestinationID, micro(a.UpdatedAt)}
		})},
	store.KindAudienceMember: {"audience_members", `org_id, connection_id, destination, customer_id, added_at`,
		"org_id, connection_id, destination, customer_id", decodeArgs(func(m *store.AudienceMember) []any {
			return []any{m.OrgID, m.ConnectionID, m.Destination, m.CustomerID, micro(m.AddedAt)}
		})},
}

func syncRunArgs(it store.Item) ([]any, error) {
	var r omnify.SyncRun
	if err := it.Decode(&r); err != nil {
		return nil, err
	}
	progress, err := progressJSON(r.Progress)
	if err != nil {
		return nil, err
	}
	return []any{r.ID, r.OrgID, r.ConnectionID, r.JobID, string(r.Mode), stringsJSON(r.Streams), r.Trigger,
		string(r.Status), progress, r.Error, micro(r.CreatedAt), micro(r.StartedAt), nullMicro(r.FinishedAt)}, nil
}

// Load writes items in one transaction, kind by kind in dump order, so a
// batch is all or nothing and references within it are satisfied.
func (db *DB) Load(ctx context.Context, items []store.Item) error {
	byKind := map[string][][]any{}
	for i, it := range items {
		lt, ok := loadTables[it.Kind]
		if !ok {
			return fmt.Errorf("load: %w", omnify.Invalid(fmt.Sprintf("items[%d].kind", i), "unknown kind %q", it.Kind))
		}
		args, err := lt.args(it)
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		byKind[it.Kind] = append(byKind[it.Kind], args)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, kind := range store.Kinds {
			if err := loadRows(ctx, tx, loadTables[kind], byKind[kind]); err != nil {
				return wrap("load "+kind, err)
			}
		}
		return nil
	})
}

func loadRows(ctx context.Context, tx *sql.Tx, lt loadTable, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, lt.sql())
	if err != nil {
		return err
	}
	defer st.Close()
	for _, args := range rows {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}
