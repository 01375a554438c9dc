package triplewhale_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
	"github.com/omnify-cloud/omnify/connector/triplewhale"
	"github.com/omnify-cloud/omnify/connector/triplewhale/triplewhaletest"
)

// collector keeps what a read emits.
type collector struct {
	mu          sync.Mutex
	records     []connector.Record
	checkpoints []json.RawMessage
	onRecord    func(n int)
}

func (c *collector) Record(ctx context.Context, r connector.Record) error {
	c.mu.Lock()
	c.records = append(c.records, r)
	n := len(c.records)
	c.mu.Unlock()
	if c.onRecord != nil {
		c.onRecord(n)
	}
	return ctx.Err()
}

func (c *collector) Checkpoint(ctx context.Context, s json.RawMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checkpoints = append(c.checkpoints, append(json.RawMessage(nil), s...))
	return nil
}

func (c *collector) Total(int64) {}

func (c *collector) last() json.RawMessage {
	if len(c.checkpoints) == 0 {
		return nil
	}
	return c.checkpoints[len(c.checkpoints)-1]
}

func newConnector(srv *triplewhaletest.Server) *triplewhale.Connector {
	c := triplewhale.New()
	c.Now = func() time.Time { return srv.Today().Add(15 * time.Hour) }
	return c
}

// A full read asks one day per request and emits, per day, a metric per
// channel and a summary, plus each channel's campaign once, with amounts
// in minor units equal to the vendor's numbers.
func TestFullRead(t *testing.T) {
	t.Parallel()
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 7})
	c := newConnector(srv)
	start := srv.Today().AddDate(0, 0, -9)
	var rec collector
	if err := c.Read(t.Context(), srv.Connection(start), triplewhale.StreamDailyMetrics, nil, &rec); err != nil {
		t.Fatal(err)
	}
	chans := srv.Channels()
	counts := map[string]int{}
	for _, r := range rec.records {
		switch {
		case r.Campaign != nil:
			counts["campaign"]++
			if r.Campaign.Channel == "other" {
				t.Errorf("service %s has no channel", r.Campaign.Name)
			}
		case r.CampaignMetric != nil:
			counts["metric"]++
			checkMetric(t, srv, r)
		case r.Object != nil:
			counts["summary"]++
		}
	}
	want := map[string]int{"campaign": len(chans), "metric": 10 * len(chans), "summary": 10}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%d %s records, want %d", counts[k], k, n)
		}
	}
	if len(rec.checkpoints) != 10 || string(rec.last()) != `{"through":"`+srv.Today().Format("2006-01-02")+`"}` {
		t.Errorf("checkpoints %d, last %s", len(rec.checkpoints), rec.last())
	}
	for _, p := range srv.Periods() {
		if p[0] != p[1] {
			t.Errorf("asked for period %v; the window is one day", p)
		}
	}
}

func checkMetric(t *testing.T, srv *triplewhaletest.Server, r connector.Record) {
	t.Helper()
	m := r.CampaignMetric
	svc := m.CampaignExternalID[len("tw-channel:"):]
	want := srv.Day(m.Day, svc)
	if m.SpendMinor != int64(want.Spend*100+0.5) || m.RevenueMinor != int64(want.Revenue*100+0.5) ||
		m.Conversions != want.Orders || m.Impressions != want.Impressions || m.Clicks != want.Clicks || m.Currency != "USD" {
		t.Errorf("%s: %+v, vendor %+v", r.ExternalID, m, want)
	}
	if r.ExternalID != connector.MetricExternalID(m.CampaignExternalID, m.Day) {
		t.Errorf("metric ID %s", r.ExternalID)
	}
}

func TestChannelMapping(t *testing.T) {
	t.Parallel()
	for svc, want := range map[string]string{"facebook-ads": "paid_social", "google-ads": "paid_search", "klaviyo": "email",
		"attentive": "sms", "impact": "affiliate", "criteo": "display", "new-network": "other"} {
		if got := triplewhale.ChannelOf(svc); got != want {
			t.Errorf("ChannelOf(%s) = %s, want %s", svc, got, want)
		}
	}
}

// An incremental read starts SettleDays-1 days before the saved day, so
// restated numbers of the last days and the new day arrive.
func TestIncrementalRereadsSettlingDays(t *testing.T) {
	t.Parallel()
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 8})
	c := newConnector(srv)
	conn := srv.Connection(srv.Today().AddDate(0, 0, -20))
	var first collector
	if err := c.Read(t.Context(), conn, triplewhale.StreamDailyMetrics, nil, &first); err != nil {
		t.Fatal(err)
	}
	before := srv.Day(srv.Today(), "facebook-ads")
	srv.Mutate(2)
	var inc collector
	if err := c.Read(t.Context(), conn, triplewhale.StreamDailyMetrics, first.last(), &inc); err != nil {
		t.Fatal(err)
	}
	days := map[string]bool{}
	for _, r := range inc.records {
		if r.Object != nil {
			days[strings.TrimPrefix(r.ExternalID, "tw-summary:")] = true
		}
	}
	if len(days) != triplewhale.SettleDays+1 {
		t.Errorf("incremental read covered days %v, want the last %d again and the new one", days, triplewhale.SettleDays)
	}
	for _, r := range inc.records {
		if m := r.CampaignMetric; m != nil && m.CampaignExternalID == "tw-channel:facebook-ads" && m.Day.Equal(srv.Today().AddDate(0, 0, -1)) {
			if m.RevenueMinor <= int64(before.Revenue*100) {
				t.Errorf("restated revenue %d not above the first %v", m.RevenueMinor, before.Revenue)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 9, Limit: 3, Window: time.Minute})
	c := newConnector(srv)
	bad := srv.Connection(srv.Today())
	bad.Credentials["api_key"] = "refused"
	if err := c.Check(t.Context(), bad); !errors.Is(err, connector.ErrAuth) {
		t.Errorf("refused key: %v", err)
	}
	other := srv.Connection(srv.Today())
	other.Credentials["shop_domain"] = "someone-else.myshopify.com"
	if err := c.Read(t.Context(), other, triplewhale.StreamDailyMetrics, nil, &collector{}); !errors.Is(err, connector.ErrAuth) {
		t.Errorf("foreign shop: %v", err)
	}
	if err := c.Read(t.Context(), srv.Connection(srv.Today()), "orders", nil, &collector{}); !errors.Is(err, connector.ErrUnknownStream) {
		t.Errorf("unknown stream: %v", err)
	}
	var rec collector
	err := c.Read(t.Context(), srv.Connection(srv.Today().AddDate(0, 0, -9)), triplewhale.StreamDailyMetrics, nil, &rec)
	var bo *connector.BackOffError
	if !errors.As(err, &bo) || bo.Wait < 30*time.Second || bo.Wait > time.Minute {
		t.Fatalf("over the limit: %v, want a back-off of up to a minute from Retry-After", err)
	}
	if len(rec.checkpoints) == 0 {
		t.Errorf("no checkpoint before the 429; the retry would start over")
	}
}

// Under 429s, 5xx and truncated answers, a read through the platform
// manager still delivers every day once retried.
func TestFaultsThroughManager(t *testing.T) {
	t.Parallel()
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 10})
	var sleeps int
	var mu sync.Mutex
	m := manager.Wrap(newConnector(srv), manager.Options{MaxAttempts: 10, CheckCacheTTL: -1, FailureThreshold: 100,
		Sleep: func(ctx context.Context, _ time.Duration) error { mu.Lock(); sleeps++; mu.Unlock(); return ctx.Err() }})
	srv.Inject(triplewhaletest.Fault429, triplewhaletest.Fault500, triplewhaletest.FaultTruncated, triplewhaletest.Fault503)
	var rec collector
	if err := m.Read(t.Context(), srv.Connection(srv.Today().AddDate(0, 0, -14)), triplewhale.StreamDailyMetrics, nil, &rec); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range rec.records {
		ids[r.ExternalID] = true
	}
	if want := 15*len(srv.Channels())*1 + 15 + len(srv.Channels()); len(ids) != want {
		t.Errorf("%d distinct records, want %d", len(ids), want)
	}
	if sleeps < 4 {
		t.Errorf("%d waits, want one per injected fault at least", sleeps)
	}
}

func TestCancellation(t *testing.T) {
	t.Parallel()
	srv := triplewhaletest.NewServer(t, triplewhaletest.Options{Seed: 11})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := collector{onRecord: func(n int) {
		if n == 5 {
			cancel()
		}
	}}
	err := newConnector(srv).Read(ctx, srv.Connection(srv.Today().AddDate(0, 0, -30)), triplewhale.StreamDailyMetrics, nil, &rec)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled read returned %v", err)
	}
	if len(rec.records) > 5 {
		t.Errorf("%d records after the cancel", len(rec.records)-5)
	}
}
