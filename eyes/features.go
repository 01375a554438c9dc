package eyes

import (
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/btyd"
)

// Feature columns, in matrix order. Times are in days.
const (
	fRecency = iota
	fFrequency
	fMonetaryTotal
	fMonetaryAvg
	fTenure
	fIPTMean
	fIPTStd
	fRecent90
	fTrend
	fPAlive
	fExpected90
	fDecay30
	fDecay180
	numBaseFeatures
)

// baseFeatureNames are the column names of the purchase features.
var baseFeatureNames = []string{
	"recency_days", "frequency", "monetary_total", "monetary_avg", "tenure_days",
	"ipt_mean_days", "ipt_std_days", "orders_last_90d", "trend_90d", "p_alive", "expected_purchases_90d",
	"activity_30d", "activity_180d",
}

// engagementFeatureNames are appended when any customer has engagement data.
var engagementFeatureNames = []string{"email_open_rate", "email_click_rate", "support_tickets", "subscriptions"}

// trendWindow is the length of the recent and prior windows compared by the
// activity-trend feature.
const trendWindow = 90

// featureSpace computes the same features at any cutoff day, so churn
// models train at earlier cutoffs on exactly what they score at as-of.
type featureSpace struct {
	h          *histories
	customers  []Customer
	engagement bool
	names      []string
	seed       int64
	workers    int
}

func newFeatureSpace(h *histories, cs []Customer, seed int64, workers int) *featureSpace {
	fs := &featureSpace{h: h, customers: cs, seed: seed, workers: workers}
	fs.names = append([]string(nil), baseFeatureNames...)
	for i := range cs {
		if e := cs[i].Engagement; e != nil && *e != (Engagement{}) {
			fs.engagement = true
			fs.names = append(fs.names, engagementFeatureNames...)
			break
		}
	}
	return fs
}

// active returns the customers with at least one transaction on or before c.
func (fs *featureSpace) active(c int32, among []int) []int {
	var out []int
	for _, i := range among {
		if d, _ := fs.h.upTo(i, c); len(d) > 0 {
			out = append(out, i)
		}
	}
	return out
}

// cutoffFeatures is the feature matrix of customers idx at cutoff day c.
type cutoffFeatures struct {
	cutoff int32
	idx    []int
	X      *ml.Matrix
	bg     *btyd.BGNBD // nil when the model could not be fitted
	bgErr  error
}

// at computes the features at cutoff c; bgMax caps the BG/NBD fit's sample.
func (fs *featureSpace) at(c int32, idx []int, bgMax int) *cutoffFeatures {
	cf := &cutoffFeatures{cutoff: c, idx: idx, X: ml.NewMatrix(len(idx), len(fs.names))}
	cf.bg, cf.bgErr = fs.fitBGNBD(c, idx, bgMax)
	parallel(len(idx), fs.workers, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			fs.row(cf.X.Row(k), idx[k], c, cf.bg)
		}
	})
	return cf
}

func weeks(days float64) float64 { return days / 7 }

// rfmAt summarises a history for the BG/NBD model in weeks, treating the
// cutoff day c as the end of calibration, as btyd.Summarize does.
func rfmAt(d []int32, c int32) btyd.RFM {
	first, last := float64(d[0]), float64(d[len(d)-1])
	return btyd.RFM{X: float64(len(d) - 1), TX: weeks(last - first), T: weeks(float64(c) - first)}
}

// bgSample caps the customers the as-of BG/NBD fit sees: four parameters
// are pinned down well by ten thousand histories. The fits at training
// cutoffs, one per cutoff, only shape features and use bgCutoffSample.
const (
	bgSample       = 10_000
	bgCutoffSample = 4_000
)

func (fs *featureSpace) fitBGNBD(c int32, idx []int, bgMax int) (*btyd.BGNBD, error) {
	data := make([]btyd.RFM, 0, len(idx))
	for _, i := range idx {
		d, _ := fs.h.upTo(i, c)
		data = append(data, rfmAt(d, c))
	}
	bg, err := btyd.FitBGNBD(data, btyd.FitOptions{Seed: fs.seed, MaxSample: bgMax, Starts: 2})
	if err != nil {
		return nil, fmt.Errorf("bg/nbd at cutoff: %w", err)
	}
	return bg, nil
}

func (fs *featureSpace) row(out []float64, i int, c int32, bg *btyd.BGNBD) {
	d, a := fs.h.upTo(i, c)
	n := len(d)
	total := 0.0
	for _, v := range a {
		total += v
	}
	out[fRecency] = float64(c - d[n-1])
	out[fFrequency] = float64(n)
	out[fMonetaryTotal] = total
	out[fMonetaryAvg] = total / float64(n)
	out[fTenure] = float64(c - d[0])
	out[fIPTMean], out[fIPTStd] = gapStats(d)
	recent, prior := windowCounts(d, c)
	out[fRecent90] = float64(recent)
	if recent+prior > 0 {
		out[fTrend] = float64(recent-prior) / float64(recent+prior)
	}
	out[fPAlive], out[fExpected90] = bgScores(bg, d, c)
	out[fDecay30], out[fDecay180] = decayed(d, c, 30), decayed(d, c, 180)
	if fs.engagement {
		engagementRow(out[numBaseFeatures:], fs.customers[i].Engagement)
	}
}

// gapStats is the mean and standard deviation of the days between
// consecutive transactions; zero for a single transaction.
func gapStats(d []int32) (float64, float64) {
	if len(d) < 2 {
		return 0, 0
	}
	n := float64(len(d) - 1)
	mean := float64(d[len(d)-1]-d[0]) / n
	ss := 0.0
	for k := 1; k < len(d); k++ {
		g := float64(d[k]-d[k-1]) - mean
		ss += g * g
	}
	return mean, math.Sqrt(ss / n)
}

// decayed counts transactions with weight exp(-age/tau): a smooth "how
// active lately" that, unlike a window count, has no cliff.
func decayed(d []int32, c int32, tau float64) float64 {
	s := 0.0
	for k := len(d) - 1; k >= 0; k-- {
		age := float64(c - d[k])
		if age > 20*tau {
			break
		}
		s += math.Exp(-age / tau)
	}
	return s
}

func windowCounts(d []int32, c int32) (recent, prior int) {
	for k := len(d) - 1; k >= 0; k-- {
		switch age := c - d[k]; {
		case age < trendWindow:
			recent++
		case age < 2*trendWindow:
			prior++
		default:
			return recent, prior
		}
	}
	return recent, prior
}

func bgScores(bg *btyd.BGNBD, d []int32, c int32) (float64, float64) {
	if bg == nil {
		return 1, 0
	}
	r := rfmAt(d, c)
	return clean(bg.PAlive(r.X, r.TX, r.T)), clean(bg.ExpectedPurchases(weeks(trendWindow), r.X, r.TX, r.T))
}

func engagementRow(out []float64, e *Engagement) {
	if e == nil {
		return
	}
	sent := float64(max(e.EmailsSent, e.EmailOpens, 1))
	out[0] = float64(e.EmailOpens) / sent
	out[1] = float64(e.EmailClicks) / sent
	out[2] = float64(e.SupportTicket)
	out[3] = float64(e.Subscriptions)
}

// clean maps a non-finite value to zero so no NaN reaches a model or report.
func clean(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
