package btyd

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Transaction is one purchase by one customer.
type Transaction struct {
	CustomerID string
	Time       time.Time
	Amount     float64
}

// TimeUnit is the unit in which recency and age are measured.
type TimeUnit int

const (
	Day TimeUnit = iota + 1
	Week
)

// String returns "day" or "week".
func (u TimeUnit) String() string {
	switch u {
	case Day:
		return "day"
	case Week:
		return "week"
	}
	return fmt.Sprintf("TimeUnit(%d)", int(u))
}

// ParseTimeUnit parses "day" or "week" (also "days", "weeks").
func ParseTimeUnit(s string) (TimeUnit, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "day", "days":
		return Day, nil
	case "week", "weeks":
		return Week, nil
	}
	return 0, fmt.Errorf("time unit %q: want day or week: %w", s, ErrInvalidInput)
}

// PerMonth returns the number of units in an average month (365.25/12
// days), the conversion CLV needs; 0 for an unknown unit.
func (u TimeUnit) PerMonth() float64 {
	d, err := u.days()
	if err != nil {
		return 0
	}
	return 365.25 / 12 / d
}

func (u TimeUnit) days() (float64, error) {
	switch u {
	case Day:
		return 1, nil
	case Week:
		return 7, nil
	}
	return 0, fmt.Errorf("time unit %d: %w", int(u), ErrInvalidInput)
}

// CustomerSummary is the RFM summary of one customer.
type CustomerSummary struct {
	ID string
	RFM
}

// RFMs returns the RFM part of each summary, in order.
func RFMs(summaries []CustomerSummary) []RFM {
	out := make([]RFM, len(summaries))
	for i, s := range summaries {
		out[i] = s.RFM
	}
	return out
}

// Summarize reduces transactions to one RFM summary per customer whose
// first purchase falls on or before calibrationEnd, sorted by ID.
//
// Time is counted in whole calendar days (each transaction's date in its
// own location), and all purchases of one day form one transaction whose
// amount is their sum. X counts the purchase days after the first, TX is
// the last purchase day minus the first, and T is the calibration end day
// minus the first, so a customer who first buys on the last day has T = 0.
// Monetary is the mean of the repeat transactions, excluding the first as
// the Gamma-Gamma model requires. Transactions after calibrationEnd's date
// are ignored.
func Summarize(txns []Transaction, calibrationEnd time.Time, unit TimeUnit) ([]CustomerSummary, error) {
	perUnit, err := unit.days()
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	end := civilDay(calibrationEnd)
	ids, recs, err := dayRecords(txns, end)
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	recs = groupByCustomer(recs, len(ids))
	out := make([]CustomerSummary, 0, len(ids))
	for len(recs) > 0 {
		n := 1
		for n < len(recs) && recs[n].customer == recs[0].customer {
			n++
		}
		out = append(out, CustomerSummary{ID: ids[recs[0].customer], RFM: summarizeRun(recs[:n], end, perUnit)})
		recs = recs[n:]
	}
	slices.SortFunc(out, func(a, b CustomerSummary) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// dayRecord is one transaction reduced to a customer number and civil day.
type dayRecord struct {
	customer int32
	day      int32
	amount   float64
}

// dayRecords numbers the customers and keeps the transactions on or
// before day end; it holds one small record per transaction so summaries
// of millions of customers stay cheap.
func dayRecords(txns []Transaction, end int64) ([]string, []dayRecord, error) {
	index := map[string]int32{}
	var ids []string
	recs := make([]dayRecord, 0, len(txns))
	for i, t := range txns {
		if t.CustomerID == "" {
			return nil, nil, fmt.Errorf("transaction %d: empty customer id: %w", i, ErrInvalidInput)
		}
		if !finite(t.Amount) {
			return nil, nil, fmt.Errorf("transaction %d: non-finite amount: %w", i, ErrInvalidInput)
		}
		d := civilDay(t.Time)
		if d > end {
			continue
		}
		c, ok := index[t.CustomerID]
		if !ok {
			c = int32(len(ids))
			index[t.CustomerID] = c
			ids = append(ids, t.CustomerID)
		}
		recs = append(recs, dayRecord{customer: c, day: int32(d), amount: t.Amount})
	}
	return ids, recs, nil
}

// groupByCustomer orders the records by customer with a counting sort
// (customers are numbered densely), then each customer's few records by
// day; this is linear where a general sort of millions of records is not.
func groupByCustomer(recs []dayRecord, customers int) []dayRecord {
	start := make([]int, customers+1)
	for _, r := range recs {
		start[r.customer+1]++
	}
	for c := 1; c <= customers; c++ {
		start[c] += start[c-1]
	}
	out := make([]dayRecord, len(recs))
	next := slices.Clone(start[:customers])
	for _, r := range recs {
		out[next[r.customer]] = r
		next[r.customer]++
	}
	for c := 0; c < customers; c++ {
		slices.SortStableFunc(out[start[c]:start[c+1]], func(a, b dayRecord) int { return cmp.Compare(a.day, b.day) })
	}
	return out
}

// summarizeRun summarises one customer's transactions, sorted by day,
// merging those of the same day into one.
func summarizeRun(run []dayRecord, end int64, perUnit float64) RFM {
	first, last := run[0].day, run[len(run)-1].day
	var repeats, spend float64
	for i, r := range run {
		if r.day == first {
			continue
		}
		if r.day != run[i-1].day {
			repeats++
		}
		spend += r.amount
	}
	rfm := RFM{X: repeats, TX: float64(last-first) / perUnit, T: float64(end-int64(first)) / perUnit}
	if repeats > 0 {
		rfm.Monetary = spend / repeats
	}
	return rfm
}

// civilDay numbers t's calendar date (in t's location) in days since the
// Unix epoch, so differences are exact whole days across DST changes.
func civilDay(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
