package btyd

import (
	"fmt"
	"sort"
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
	byCustomer, err := purchaseDays(txns, civilDay(calibrationEnd))
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	end := civilDay(calibrationEnd)
	out := make([]CustomerSummary, 0, len(byCustomer))
	for id, days := range byCustomer {
		out = append(out, CustomerSummary{ID: id, RFM: summarizeDays(days, end, perUnit)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// purchaseDays groups the transactions up to day end into per-customer
// maps from civil day to the day's total amount.
func purchaseDays(txns []Transaction, end int64) (map[string]map[int64]float64, error) {
	by := map[string]map[int64]float64{}
	for i, t := range txns {
		if t.CustomerID == "" {
			return nil, fmt.Errorf("transaction %d: empty customer id: %w", i, ErrInvalidInput)
		}
		if !finite(t.Amount) {
			return nil, fmt.Errorf("transaction %d: non-finite amount: %w", i, ErrInvalidInput)
		}
		d := civilDay(t.Time)
		if d > end {
			continue
		}
		days := by[t.CustomerID]
		if days == nil {
			days = map[int64]float64{}
			by[t.CustomerID] = days
		}
		days[d] += t.Amount
	}
	return by, nil
}

func summarizeDays(days map[int64]float64, end int64, perUnit float64) RFM {
	keys := make([]int64, 0, len(days))
	for d := range days {
		keys = append(keys, d)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	first, last := keys[0], keys[len(keys)-1]
	r := RFM{
		X:  float64(len(keys) - 1),
		TX: float64(last-first) / perUnit,
		T:  float64(end-first) / perUnit,
	}
	if r.X > 0 {
		sum := 0.0
		for _, d := range keys[1:] {
			sum += days[d]
		}
		r.Monetary = sum / r.X
	}
	return r
}

// civilDay numbers t's calendar date (in t's location) in days since the
// Unix epoch, so differences are exact whole days across DST changes.
func civilDay(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
