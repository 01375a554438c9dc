package analytics

import (
	"fmt"
	"sort"
	"time"

	"github.com/omnify-cloud/omnify"
)

// Interval is the width of one period of a time series.
type Interval string

// Intervals.
const (
	IntervalDay   Interval = "day"
	IntervalWeek  Interval = "week" // ISO weeks, starting on Monday
	IntervalMonth Interval = "month"
)

// Valid reports whether i is a known interval.
func (i Interval) Valid() bool {
	return i == IntervalDay || i == IntervalWeek || i == IntervalMonth
}

// Start returns the start (UTC) of the period that holds t.
func (i Interval) Start(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch i {
	case IntervalWeek:
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		return day.AddDate(0, 0, -back)
	case IntervalMonth:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// Next returns the start of the period after the one starting at start.
func (i Interval) Next(start time.Time) time.Time {
	switch i {
	case IntervalWeek:
		return start.AddDate(0, 0, 7)
	case IntervalMonth:
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// Periods lists the starts of every period that overlaps [from, to).
func Periods(i Interval, from, to time.Time) []time.Time {
	var out []time.Time
	for p := i.Start(from); p.Before(to); p = i.Next(p) {
		out = append(out, p)
	}
	return out
}

// CountPeriods is len(Periods(i, from, to)) without building the slice
// beyond limit+1, so callers can refuse a range that is too long.
func CountPeriods(i Interval, from, to time.Time, limit int) int {
	n := 0
	for p := i.Start(from); p.Before(to) && n <= limit; p = i.Next(p) {
		n++
	}
	return n
}

// PlatformSeries is one platform's revenue and orders per period, aligned
// with RevenueSeries.Periods.
type PlatformSeries struct {
	Platform     string  `json:"platform"`
	RevenueMinor []int64 `json:"revenue_minor"`
	Orders       []int   `json:"orders"`
}

// RevenueSeries is revenue and orders per period, one series per source
// platform, for a stacked chart.
type RevenueSeries struct {
	Interval  Interval         `json:"interval"`
	Periods   []time.Time      `json:"periods"`
	Platforms []PlatformSeries `json:"platforms"`
}

// Revenue buckets orders placed in [from, to) by period and platform.
// Platforms are sorted by name; periods with no orders are zero.
func Revenue(orders []omnify.Order, i Interval, from, to time.Time) (RevenueSeries, error) {
	if !i.Valid() {
		return RevenueSeries{}, fmt.Errorf("unknown interval %q", i)
	}
	periods := Periods(i, from, to)
	index := make(map[time.Time]int, len(periods))
	for k, p := range periods {
		index[p] = k
	}
	series := map[string]*PlatformSeries{}
	for _, o := range orders {
		if o.PlacedAt.Before(from) || !o.PlacedAt.Before(to) {
			continue
		}
		s := series[o.Platform]
		if s == nil {
			s = &PlatformSeries{Platform: o.Platform, RevenueMinor: make([]int64, len(periods)), Orders: make([]int, len(periods))}
			series[o.Platform] = s
		}
		k := index[i.Start(o.PlacedAt)]
		s.RevenueMinor[k] += o.AmountMinor
		s.Orders[k]++
	}
	out := RevenueSeries{Interval: i, Periods: periods, Platforms: make([]PlatformSeries, 0, len(series))}
	for _, s := range series {
		out.Platforms = append(out.Platforms, *s)
	}
	sort.Slice(out.Platforms, func(a, b int) bool { return out.Platforms[a].Platform < out.Platforms[b].Platform })
	if out.Periods == nil {
		out.Periods = []time.Time{}
	}
	return out, nil
}
