package outage_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/omnify-cloud/omnify/internal/outage"
)

// TestTrackersShareTheGauge registers the limiter's and the cache's trackers
// in one registry, as omnify serve does: one omnify_redis_up family with a
// series per component, each flipping on its own.
func TestTrackersShareTheGauge(t *testing.T) {
	reg := prometheus.NewRegistry()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	cfg := outage.Config{Registerer: reg, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	cfg.Component = "limiter"
	lim := outage.New(cfg)
	cfg.Component = "cache"
	outage.New(cfg)

	lim.Fail(errors.New("connection refused"))
	lim.Fail(errors.New("connection refused")) // in flight when the outage began
	lim.FellBack()
	want := map[string]float64{
		`omnify_redis_up{component="limiter"}`: 0,
		`omnify_redis_up{component="cache"}`:   1,
		`omnify_limiter_fallback_total`:        1,
		`omnify_cache_fallback_total`:          0,
	}
	got := gather(t, reg)
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if n := strings.Count(logs.String(), "redis unreachable"); n != 1 {
		t.Errorf("outage logged %d times, want once", n)
	}
	if lim.Try() {
		t.Error("probe allowed before the back-off elapsed")
	}
	now = now.Add(time.Second)
	if !lim.Try() || lim.Try() {
		t.Error("want exactly one probe once the back-off elapsed")
	}
	if !lim.Succeed() || !lim.Up() || gather(t, reg)[`omnify_redis_up{component="limiter"}`] != 1 {
		t.Error("successful probe did not end the outage")
	}
}

func TestAbandonedProbeLetsAnotherCallerProbe(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tr := outage.New(outage.Config{Component: "x", Now: func() time.Time { return now },
		Logger: slog.New(slog.DiscardHandler)})
	tr.Fail(errors.New("down"))
	now = now.Add(time.Minute)
	if !tr.Try() {
		t.Fatal("no probe after the back-off")
	}
	tr.Abandon()
	if !tr.Try() {
		t.Error("an abandoned probe blocked the next one")
	}
}

func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += "{" + l.GetName() + `="` + l.GetValue() + `"}`
			}
			out[name] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	return out
}
