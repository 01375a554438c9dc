package triplewhale_test

// BenchmarkTwoYearsTenChannels reads two years (731 days) of daily metrics
// for 10 channels through the platform manager, paced by an in-process
// limiter at DefaultRate (60 requests a minute, burst 5), from the fake
// that enforces 100 requests per minute (the RateLimit-Policy Triple Whale
// shows; it publishes no limit). One request per day.
//
// Run once: go test -run '^$' -bench TwoYears -benchtime 1x -timeout 30m ./connector/triplewhale/
// (-tw.days N reads fewer days.)
//
// Result (2-core machine, 2026-11-25, run once, full two years): 731
// requests, 8,051 records (731 days × 10 channel metrics + 731 summaries
// + 10 campaigns), no 429s.
//   (a) time DefaultRate implies: 731 s (726 s after its burst of 5); the
//       fake's 100/min policy would allow 438.6 s;
//   (b) measured: 726.0 s;
//   (c) 60.4% of the fake's 100/min, i.e. 100% of DefaultRate — the
//       deliberate margin while Triple Whale publishes no limit.

import (
	"context"
	"encoding/json"
	"flag"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
	"github.com/omnify-cloud/omnify/connector/triplewhale"
	"github.com/omnify-cloud/omnify/connector/triplewhale/triplewhaletest"
	"github.com/omnify-cloud/omnify/limit"
)

var benchDays = flag.Int("tw.days", 731, "days the Triple Whale benchmark reads")

type countingEmitter struct{ n int }

func (c *countingEmitter) Record(context.Context, connector.Record) error    { c.n++; return nil }
func (c *countingEmitter) Checkpoint(context.Context, json.RawMessage) error { return nil }
func (c *countingEmitter) Total(int64)                                       {}

func BenchmarkTwoYearsTenChannels(b *testing.B) {
	srv := triplewhaletest.NewServer(b, triplewhaletest.Options{Seed: 1})
	m := manager.Wrap(newConnector(srv), manager.Options{Limiter: limit.NewMemory(nil), Rate: triplewhale.DefaultRate,
		CheckCacheTTL: -1, IdleTimeout: time.Hour})
	start := srv.Today().AddDate(0, 0, -(*benchDays - 1))
	for b.Loop() {
		e := &countingEmitter{}
		before := srv.Requests()
		t0 := time.Now()
		if err := m.Read(context.Background(), srv.Connection(start), triplewhale.StreamDailyMetrics, nil, e); err != nil {
			b.Fatal(err)
		}
		took := time.Since(t0)
		reqs := srv.Requests() - before
		if want := *benchDays*11 + 10; e.n != want {
			b.Fatalf("%d records, want %d", e.n, want)
		}
		allowed := 100.0 / 60 // requests per second the fake allows
		b.ReportMetric(took.Seconds(), "s/read")
		b.ReportMetric(float64(reqs)/allowed, "s-implied-by-vendor-limit")
		b.ReportMetric(float64(reqs)*60/float64(triplewhale.DefaultRate.Limit), "s-implied-by-DefaultRate")
		b.ReportMetric(float64(reqs), "requests")
		b.ReportMetric(float64(e.n), "records")
		b.ReportMetric(float64(reqs)/took.Seconds()/allowed*100, "%-of-vendor-rate")
	}
}
