package linkedin_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/connector/linkedin/linkedintest"
)

// collector keeps what a read emits.
type collector struct {
	records []connector.Record
	states  []json.RawMessage
}

func (c *collector) Record(ctx context.Context, r connector.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.records = append(c.records, r)
	return nil
}

func (c *collector) Checkpoint(_ context.Context, s json.RawMessage) error {
	c.states = append(c.states, append(json.RawMessage(nil), s...))
	return nil
}

func (c *collector) Total(int64) {}

func (c *collector) last() json.RawMessage {
	if len(c.states) == 0 {
		return nil
	}
	return c.states[len(c.states)-1]
}

func TestEncodeRestli(t *testing.T) {
	t.Parallel()
	type L = linkedin.RLList
	R := linkedin.Rec
	for _, tc := range []struct {
		in   any
		want string
	}{
		{L{"urn:li:sponsoredAccount:123"}, "List(urn%3Ali%3AsponsoredAccount%3A123)"},
		{R("status", R("values", L{"ACTIVE", "PAUSED"})), "(status:(values:List(ACTIVE,PAUSED)))"},
		{R("start", R("year", 2026, "month", 1, "day", 31)), "(start:(year:2026,month:1,day:31))"},
		{"a b,c(d)'e", "a%20b%2Cc%28d%29%27e"},
		{L{int64(1), int64(22)}, "List(1,22)"},
		{L{}, "List()"},
	} {
		got := linkedin.EncodeRestli(tc.in)
		if got != tc.want {
			t.Errorf("EncodeRestli(%v) = %q, want %q", tc.in, got, tc.want)
		}
		// What the connector writes, LinkedIn's strict parser reads back.
		if _, err := linkedintest.ParseValue(got); err != nil && tc.want != "" {
			t.Errorf("the fake cannot parse %q: %v", got, err)
		}
	}
}

func TestMinorUnits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		amount, currency string
		want             int64
		bad              bool
	}{
		{"12.345", "USD", 1235, false},
		{"12.344999", "USD", 1234, false},
		{"-0.005", "EUR", -1, false},
		{"1500.5", "JPY", 1501, false},
		{"1.2345", "KWD", 1235, false},
		{"", "USD", 0, false},
		{"0", "USD", 0, false},
		{"1e3", "USD", 0, true},
		{"12,50", "EUR", 0, true},
	} {
		got, err := linkedin.MinorUnits(tc.amount, tc.currency)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("MinorUnits(%q, %s) = %d, %v; want %d (error %v)", tc.amount, tc.currency, got, err, tc.want, tc.bad)
		}
	}
}

// The connector refreshes a refused access token once and carries on; a
// refused refresh token is connector.ErrAuth.
func TestTokenRefresh(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Campaigns: 5})
	c := linkedin.New(linkedin.WithClock(srv.Now))
	conn := srv.Connection()
	if err := c.Check(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	if err := c.Check(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	if n := srv.Stats().Refreshes; n != 1 {
		t.Errorf("%d refreshes for two checks, want 1 (the token is cached)", n)
	}
	srv.RevokeAccessTokens()
	var rec collector
	if err := c.Read(context.Background(), conn, linkedin.StreamCampaigns, nil, &rec); err != nil {
		t.Fatalf("read after the access token was revoked: %v", err)
	}
	if n := srv.Stats().Refreshes; n != 2 || len(rec.records) != 5 {
		t.Errorf("%d refreshes and %d campaigns, want 2 and 5", n, len(rec.records))
	}
	// Expiry: the connector refreshes before the token runs out.
	srv.Advance(60*24*time.Hour - time.Minute)
	if err := c.Check(context.Background(), conn); err != nil || srv.Stats().Refreshes != 3 {
		t.Errorf("check near expiry: %v, %d refreshes", err, srv.Stats().Refreshes)
	}
	srv.RevokeRefreshToken()
	err := c.Read(context.Background(), conn, linkedin.StreamCampaigns, nil, &rec)
	if !errors.Is(err, connector.ErrAuth) {
		t.Errorf("read with a revoked refresh token = %v, want ErrAuth", err)
	}
}

func TestMissingCredentialsAndConfig(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{})
	c := linkedin.New(linkedin.WithClock(srv.Now))
	for _, tc := range []struct {
		name string
		edit func(*connector.Connection)
	}{
		{"refresh_token", func(c *connector.Connection) { delete(c.Credentials, "refresh_token") }},
		{"client_id", func(c *connector.Connection) { c.Credentials["client_id"] = " " }},
		{"account_ids", func(c *connector.Connection) { c.Config["account_ids"] = "12,abc" }},
		{"start_date", func(c *connector.Connection) { c.Config["start_date"] = "2026-13-40" }},
	} {
		conn := srv.Connection()
		tc.edit(&conn)
		err := c.Read(context.Background(), conn, linkedin.StreamAdAnalytics, nil, &collector{})
		if !errors.Is(err, connector.ErrInvalidConfig) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: %v, want ErrInvalidConfig naming it", tc.name, err)
		}
	}
}

// LinkedIn's 429s carry no headers; the wait depends on the limit named.
func TestThrottleBackOff(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{DailyAppLimit: 2})
	c := linkedin.New(linkedin.WithClock(srv.Now))
	conn := srv.Connection()
	var rec collector
	err := c.Read(context.Background(), conn, linkedin.StreamAdAnalytics, nil, &rec)
	var bo *connector.BackOffError
	if !errors.As(err, &bo) {
		t.Fatalf("read over the daily limit = %v, want a back-off", err)
	}
	midnight := srv.Now().Truncate(24 * time.Hour).Add(24 * time.Hour)
	if want := midnight.Sub(srv.Now()); bo.Wait != want || !strings.Contains(bo.Reason, "midnight UTC") {
		t.Errorf("daily limit back-off %s (%q), want %s until midnight UTC", bo.Wait, bo.Reason, want)
	}
	srv.Inject(linkedintest.Fault429, 1)
	srv.Advance(bo.Wait)
	err = c.Read(context.Background(), conn, linkedin.StreamCampaigns, nil, &rec)
	if !errors.As(err, &bo) || bo.Wait != time.Minute {
		t.Errorf("short throttle = %v, want a one-minute back-off", err)
	}
}

func TestServerErrorsAndTruncationBackOff(t *testing.T) {
	t.Parallel()
	for _, k := range []linkedintest.FaultKind{linkedintest.Fault500, linkedintest.Fault503, linkedintest.FaultTruncated} {
		srv := linkedintest.NewServer(t, linkedintest.Options{})
		c := linkedin.New(linkedin.WithClock(srv.Now))
		srv.Inject(k, 1)
		var bo *connector.BackOffError
		if err := c.Check(context.Background(), srv.Connection()); !errors.As(err, &bo) || bo.Wait <= 0 {
			t.Errorf("fault %d: %v, want a back-off", k, err)
		}
		if err := c.Check(context.Background(), srv.Connection()); err != nil {
			t.Errorf("fault %d: the retry failed: %v", k, err)
		}
	}
}

// A sunset version is a permanent error that names the version.
func TestSunsetVersionIsPermanent(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{})
	srv.Advance(400 * 24 * time.Hour)
	c := linkedin.New(linkedin.WithClock(srv.Now))
	err := c.Check(context.Background(), srv.Connection())
	if !errors.Is(err, connector.ErrPermanent) || !strings.Contains(err.Error(), linkedin.APIVersion) {
		t.Errorf("check against a sunset version = %v, want ErrPermanent naming %s", err, linkedin.APIVersion)
	}
}

// Analytics windows follow the campaign count, and an answer that reaches
// LinkedIn's 15,000 element cap is read again in halves instead of losing
// the rows beyond it.
func TestAnalyticsWindows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		campaigns int
		budget    int
		requests  int
		truncated bool
	}{
		{"planned", 200, 0, 4, false},      // 10,000/200 = 50 days a request: 61 days in 2, plus accounts and campaigns
		{"truncated", 600, 36000, 0, true}, // 61 days cut at the cap, then read again in halves
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := linkedintest.NewServer(t, linkedintest.Options{Seed: 9, Campaigns: tc.campaigns, Days: 60, CreativesPerCampaign: 1})
			var opts []linkedin.Option
			if tc.budget > 0 {
				opts = append(opts, linkedin.WithAnalyticsRowBudget(tc.budget))
			}
			c := linkedin.New(append(opts, linkedin.WithClock(srv.Now))...)
			conn := srv.Connection()
			conn.Config["start_date"] = srv.Now().AddDate(0, 0, -60).Format(time.DateOnly)
			var rec collector
			if err := c.Read(context.Background(), conn, linkedin.StreamAdAnalytics, nil, &rec); err != nil {
				t.Fatal(err)
			}
			want := srv.MetricRows(srv.Now().Truncate(24*time.Hour).AddDate(0, 0, -60))
			if len(rec.records) != want {
				t.Errorf("%d metric records, the fake has %d", len(rec.records), want)
			}
			st := srv.Stats()
			if got := st.ByPath["adAnalytics"] + st.ByPath["adAccounts"] + st.ByPath["adCampaigns"]; tc.requests > 0 && got != tc.requests {
				t.Errorf("%d requests (%v), want %d", got, st.ByPath, tc.requests)
			}
			if (st.Truncated > 0) != tc.truncated {
				t.Errorf("%d truncated answers; want some: %v", st.Truncated, tc.truncated)
			}
			checkMetricsMatch(t, srv, rec.records)
		})
	}
}

// checkMetricsMatch compares every metric record with the fake's figures.
func checkMetricsMatch(t *testing.T, srv *linkedintest.Server, recs []connector.Record) {
	t.Helper()
	for _, r := range recs {
		m := r.CampaignMetric
		var id int64
		fmt.Sscan(m.CampaignExternalID, &id)
		want, ok := srv.MetricOf(id, m.Day)
		spend, _ := linkedin.MinorUnits(want.Cost, m.Currency)
		if !ok || want.Impressions != m.Impressions || want.Clicks != m.Clicks || spend != m.SpendMinor || want.Conversions != m.Conversions {
			t.Fatalf("%s: got %+v, LinkedIn has %+v", r.ExternalID, m, want)
		}
	}
}

// The incremental read starts AnalyticsLookback days before the last
// completed pass and resumes an interrupted pass where it stopped.
func TestAnalyticsIncrementalWindow(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Seed: 4, Campaigns: 150, Days: 90, CreativesPerCampaign: 1})
	c := linkedin.New(linkedin.WithClock(srv.Now), linkedin.WithAnalyticsRowBudget(2000))
	conn := srv.Connection()
	var full collector
	if err := c.Read(context.Background(), conn, linkedin.StreamAdAnalytics, nil, &full); err != nil {
		t.Fatal(err)
	}
	if len(full.states) < 3 {
		t.Fatalf("%d checkpoints for a 90-day backfill of 150 campaigns in 13-day windows, want one per window", len(full.states))
	}
	var st linkedin.AnalyticsState
	_ = json.Unmarshal(full.last(), &st)
	if today := srv.Now().Format(time.DateOnly); st != (linkedin.AnalyticsState{Done: today}) {
		t.Fatalf("final state %+v, want done %s", st, today)
	}
	srv.Mutate()
	var inc collector
	if err := c.Read(context.Background(), conn, linkedin.StreamAdAnalytics, full.last(), &inc); err != nil {
		t.Fatal(err)
	}
	first := srv.Now().Truncate(24*time.Hour).AddDate(0, 0, -1-linkedin.AnalyticsLookback)
	for _, r := range inc.records {
		if r.CampaignMetric.Day.Before(first) {
			t.Fatalf("incremental read went back to %s, before %s", r.CampaignMetric.Day, first)
		}
	}
	if want := srv.MetricRows(first); len(inc.records) != want {
		t.Errorf("incremental read emitted %d rows, the last %d days hold %d", len(inc.records), linkedin.AnalyticsLookback+2, want)
	}
	checkMetricsMatch(t, srv, inc.records)
	// Resuming from a mid-pass checkpoint reads only what follows it.
	var resumed collector
	if err := c.Read(context.Background(), conn, linkedin.StreamAdAnalytics, full.states[0], &resumed); err != nil {
		t.Fatal(err)
	}
	var mid linkedin.AnalyticsState
	_ = json.Unmarshal(full.states[0], &mid)
	next, _ := time.Parse(time.DateOnly, mid.Next)
	for _, r := range resumed.records {
		if r.CampaignMetric.Day.Before(next) {
			t.Fatalf("resumed read emitted %s, before the checkpoint's %s", r.ExternalID, mid.Next)
		}
	}
}

// A full-read stream resumes inside the account and page it stopped at.
func TestFullStreamResumes(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Seed: 5, Accounts: 2, Campaigns: 600, CreativesPerCampaign: 1})
	c := linkedin.New(linkedin.WithClock(srv.Now))
	conn := srv.Connection()
	var full collector
	if err := c.Read(context.Background(), conn, linkedin.StreamCampaigns, nil, &full); err != nil {
		t.Fatal(err)
	}
	if len(full.records) != 1200 || string(full.last()) != "{}" {
		t.Fatalf("%d campaigns, last state %s", len(full.records), full.last())
	}
	for i, state := range full.states[:len(full.states)-1] {
		var rest collector
		if err := c.Read(context.Background(), conn, linkedin.StreamCampaigns, state, &rest); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range rest.records {
			seen[r.ExternalID] = true
		}
		missing := 0
		for _, r := range full.records[len(full.records)-len(rest.records):] {
			if !seen[r.ExternalID] {
				missing++
			}
		}
		if missing > 0 || len(rest.records) >= len(full.records) {
			t.Errorf("resume from checkpoint %d (%s): %d records, %d of the tail missing", i, state, len(rest.records), missing)
		}
	}
}

// account_ids narrows every stream to the accounts named (sent as an id
// filter in the Rest.li search).
func TestAccountIDsFilter(t *testing.T) {
	t.Parallel()
	srv := linkedintest.NewServer(t, linkedintest.Options{Seed: 6, Accounts: 3, Campaigns: 4, Segments: 1})
	c := linkedin.New(linkedin.WithClock(srv.Now))
	conn := srv.Connection()
	ids := srv.AccountIDs()
	conn.Config["account_ids"] = fmt.Sprintf("%d, %d", ids[2], ids[0])
	for stream, want := range map[string]int{linkedin.StreamAdAccounts: 2, linkedin.StreamCampaigns: 8, linkedin.StreamAudiences: 2} {
		var rec collector
		if err := c.Read(context.Background(), conn, stream, nil, &rec); err != nil {
			t.Fatal(err)
		}
		if len(rec.records) != want {
			t.Errorf("%s: %d records, want %d from the two accounts", stream, len(rec.records), want)
		}
		for _, r := range rec.records {
			if r.Object != nil && strings.Contains(string(r.Object.Attributes), fmt.Sprint(ids[1])) {
				t.Errorf("%s: record %s belongs to the account left out", stream, r.ExternalID)
			}
		}
	}
}
