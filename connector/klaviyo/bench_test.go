package klaviyo_test

// Benchmarks against the fake at Klaviyo's published limits, in real time.
// Run once each:
//
//	go test -run '^$' -bench ProfileSync -benchtime 1x -timeout 20m ./connector/klaviyo/
//	go test -run '^$' -bench PushSegment -benchtime 1x -timeout 20m ./connector/klaviyo/
//
// Results (2-core shared machine, one run each):
//
//	Profile sync, 200,000 profiles = 2,000 pages of 100, paced by DefaultRate
//	(745/m, burst 5) through manager.Wrap with an in-process limiter:
//	  limit-implied at get_profiles' steady 750/m: 160.0 s (at its 75/s burst
//	  inside fixed minute windows, the most the windows allow: 126.0 s)
//	  measured 162.9 s, 12.28 req/s = 98.3% of the steady rate, 0 429s
//	  (with a burst of 1 the same sync took 185.6 s, 86.2%: a request that
//	  missed its slot by a millisecond lost it)
//	Push of a 50,000-customer segment to a new list, batches of 10,000:
//	  known profiles: 50 add_profiles_to_list calls of 1000; limit-implied at
//	    10/s and 150/m: 4.0 s; measured 4.7 s (4 429s waited out, 4 s of
//	    Retry-After)
//	  new profiles: 5 bulk import jobs of 10,000 (5 list-limited requests,
//	    limit-implied 0.0 s); measured 12.8 s, of which 10 s are the 2 s
//	    job-status polls (the fake finishes a job at its second poll)

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
	"github.com/omnify-cloud/omnify/connector/manager"
	"github.com/omnify-cloud/omnify/limit"
)

type countEmitter struct{ n atomic.Int64 }

func (c *countEmitter) Record(context.Context, connector.Record) error    { c.n.Add(1); return nil }
func (c *countEmitter) Checkpoint(context.Context, json.RawMessage) error { return nil }
func (c *countEmitter) Total(int64)                                       {}

func benchSize(b *testing.B, env string, def int) int {
	if v := os.Getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("%s=%q", env, v)
		}
		return n
	}
	return def
}

// BenchmarkProfileSync200k syncs a 200,000-profile account (override with
// KLAVIYO_BENCH_PROFILES) through the platform manager paced at
// DefaultRate, against a fake enforcing get_profiles' 75/s and 750/m.
func BenchmarkProfileSync200k(b *testing.B) {
	n := benchSize(b, "KLAVIYO_BENCH_PROFILES", 200000)
	srv := klaviyotest.NewServer(b, klaviyotest.Options{Profiles: n, Seed: 1})
	m := manager.Wrap(klaviyo.New(), manager.Options{Limiter: limit.NewMemory(nil), Rate: klaviyo.DefaultRate,
		MaxAttempts: 20, CheckCacheTTL: -1})
	pages := (n + 99) / 100
	steady := time.Duration(float64(pages) / 750 * float64(time.Minute))
	for b.Loop() {
		e := &countEmitter{}
		start := time.Now()
		if err := m.Read(context.Background(), srv.Connection(), klaviyo.StreamProfiles, nil, e); err != nil {
			b.Fatal(err)
		}
		took := time.Since(start)
		if int(e.n.Load()) != n {
			b.Fatalf("%d profiles read of %d", e.n.Load(), n)
		}
		reqs := srv.Requests("get_profiles")
		b.ReportMetric(took.Seconds(), "s/sync")
		b.ReportMetric(steady.Seconds(), "s-allowed-steady")
		b.ReportMetric(fixedWindowTime(pages, 75, 750).Seconds(), "s-allowed-burst")
		b.ReportMetric(float64(reqs)/took.Seconds(), "req/s")
		b.ReportMetric(100*steady.Seconds()/took.Seconds(), "%-of-steady-rate")
		b.ReportMetric(float64(srv.Throttled()), "429s")
	}
}

// fixedWindowTime is the least time n requests take under fixed windows of
// burst a second and steady a minute, all sent as early as allowed.
func fixedWindowTime(n, burst, steady int) time.Duration {
	full := (n - 1) / steady // minutes spent in full
	rest := n - full*steady  // requests in the last minute
	return time.Duration(full)*time.Minute + time.Duration((rest-1)/burst)*time.Second
}

// BenchmarkPushSegment50k pushes a 50,000-customer segment to a new list
// in the engine's batches of 10,000, repeating each batch after a back-off
// as the push engine does. Two cases: customers Klaviyo does not know yet
// (bulk import jobs, one request per 10,000) and customers with profile
// IDs (add_profiles_to_list, 1000 per request, 10/s and 150/m).
func BenchmarkPushSegment50k(b *testing.B) {
	n := benchSize(b, "KLAVIYO_BENCH_PUSH", 50000)
	for _, tc := range []struct {
		name   string
		withID bool
	}{{"new_profiles", false}, {"known_profiles", true}} {
		b.Run(tc.name, func(b *testing.B) {
			profiles := 0
			if tc.withID {
				profiles = n
			}
			srv := klaviyotest.NewServer(b, klaviyotest.Options{Profiles: profiles, Seed: 2})
			var ms []connector.Member
			if tc.withID {
				ms = members(srv, 0, n, true)
			} else {
				ms = newMembers(n)
			}
			for b.Loop() {
				c := klaviyo.New()
				start := time.Now()
				waited, added := pushBatches(b, c, srv.Connection(), "Segment "+tc.name, ms)
				took := time.Since(start)
				if got := len(srv.Audience("Segment " + tc.name)); got != n || added != n {
					b.Fatalf("audience %d, added %d, want %d", got, added, n)
				}
				// Throttled requests count against no window.
				writes := srv.Requests("add_profiles_to_list") + srv.Requests("bulk_import_profiles") - srv.Throttled()
				b.ReportMetric(took.Seconds(), "s/push")
				b.ReportMetric(waited.Seconds(), "s-backed-off")
				b.ReportMetric(float64(writes), "list-writes")
				b.ReportMetric(fixedWindowTime(writes, 10, 150).Seconds(), "s-allowed")
				b.ReportMetric(float64(srv.Throttled()), "429s")
			}
		})
	}
}

// pushBatches pushes ms in batches of connector.MaxPushBatch, sleeping
// each back-off's wait; it returns the time spent backing off and the
// members added.
func pushBatches(b *testing.B, c *klaviyo.Connector, conn connector.Connection, dest string, ms []connector.Member) (time.Duration, int) {
	var waited time.Duration
	added := 0
	for i := 0; i < len(ms); i += connector.MaxPushBatch {
		req := connector.PushRequest{Action: klaviyo.ActionAddToList, Destination: dest, Add: ms[i:min(i+connector.MaxPushBatch, len(ms))]}
		for attempt := 0; ; attempt++ {
			if attempt == 100 {
				b.Fatal("batch never finished")
			}
			res, err := c.Push(context.Background(), conn, req)
			var bo *connector.BackOffError
			if errors.As(err, &bo) {
				waited += bo.Wait
				time.Sleep(bo.Wait)
				continue
			}
			if err != nil {
				b.Fatal(fmt.Errorf("batch %d: %w", i/connector.MaxPushBatch, err))
			}
			added += res.Added
			break
		}
	}
	return waited, added
}
