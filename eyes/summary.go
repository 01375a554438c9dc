package eyes

import (
	"fmt"
	"strings"
)

// Summary is a few lines of plain text describing a result, for terminals
// and logs.
func Summary(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "EYES run as of %s: %s, %d customers (%d with orders), %d transactions\n",
		r.AsOf.Format("2006-01-02"), r.Status, r.Data.Customers, r.Data.ActiveCustomers, r.Data.Transactions)
	fmt.Fprintf(&b, "consent: %d granted, %d denied, %d unknown, %d malformed\n",
		r.Consent.Granted, r.Consent.Denied, r.Consent.Unknown, r.Consent.Malformed)
	c := r.Clustering
	fmt.Fprintf(&b, "clustering: %s, k=%d, silhouette %.4f (%s; Kaufman–Rousseeuw band: %s)\n", c.Chosen, c.K, c.Silhouette, c.SilhouetteMode, c.Band)
	for _, s := range r.Segments {
		fmt.Fprintf(&b, "  %-28s %7d customers  %5.1f%% of revenue\n", s.Name, s.Size, 100*s.RevenueShare)
	}
	for _, m := range r.Churn {
		if !m.Scored {
			fmt.Fprintf(&b, "churn %dd: not scored: %s\n", m.HorizonDays, m.Reason)
			continue
		}
		fmt.Fprintf(&b, "churn %dd: out-of-time AUC %.4f, base rate %.3f, gate %s\n", m.HorizonDays, m.AUC, m.BaseRate, passWord(m.GatePassed))
	}
	for _, g := range r.Gates {
		fmt.Fprintf(&b, "gate %s: %s (%.4f vs %.2f)\n", g.Name, passWord(g.Passed), g.Value, g.Threshold)
	}
	for _, m := range r.Messages {
		fmt.Fprintf(&b, "note: %s\n", m)
	}
	return strings.TrimRight(b.String(), "\n")
}
