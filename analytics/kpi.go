package analytics

import (
	"time"

	"github.com/omnify-cloud/omnify"
)

// Window is revenue and orders in one span of time.
type Window struct {
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	RevenueMinor int64     `json:"revenue_minor"`
	Orders       int       `json:"orders"`
}

// KPIs are the home page's headline numbers.
type KPIs struct {
	// Current is the 30 days up to the end, Previous the 30 days before.
	Current  Window `json:"current"`
	Previous Window `json:"previous"`
	// RevenueChange is (current - previous) / previous; nil when the
	// previous window had no revenue, where a percentage means nothing.
	RevenueChange *float64 `json:"revenue_change"`
	OrdersChange  *float64 `json:"orders_change"`
	// TotalOrders and Buyers count all time; RepeatRate is the share of
	// buyers (customers with at least one order) who ordered twice or more.
	TotalOrders int     `json:"total_orders"`
	Buyers      int     `json:"buyers"`
	Repeaters   int     `json:"repeaters"`
	RepeatRate  float64 `json:"repeat_rate"`
}

// ComputeKPIs measures orders in the 30-day windows [end-30d, end) and
// [end-60d, end-30d).
func ComputeKPIs(orders []omnify.Order, end time.Time) KPIs {
	now := end.UTC()
	k := KPIs{
		Current:  Window{From: now.Add(-30 * Day), To: now},
		Previous: Window{From: now.Add(-60 * Day), To: now.Add(-30 * Day)},
	}
	for _, o := range orders {
		k.Current.add(o)
		k.Previous.add(o)
	}
	k.RevenueChange = change(float64(k.Current.RevenueMinor), float64(k.Previous.RevenueMinor))
	k.OrdersChange = change(float64(k.Current.Orders), float64(k.Previous.Orders))
	k.TotalOrders = len(orders)
	for _, os := range byCustomer(orders) {
		k.Buyers++
		if len(os) >= 2 {
			k.Repeaters++
		}
	}
	k.RepeatRate = ratio(float64(k.Repeaters), float64(k.Buyers))
	return k
}

func (w *Window) add(o omnify.Order) {
	if !o.PlacedAt.Before(w.From) && o.PlacedAt.Before(w.To) {
		w.RevenueMinor += o.AmountMinor
		w.Orders++
	}
}

func change(cur, prev float64) *float64 {
	if prev == 0 {
		return nil
	}
	c := (cur - prev) / prev
	return &c
}
