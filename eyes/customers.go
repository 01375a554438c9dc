package eyes

import (
	"fmt"

	"github.com/omnify-cloud/omnify/ml/btyd"
	"github.com/omnify-cloud/omnify/ml/scale"
)

// expected_clv is the undiscounted expected value of the next twelve months
// of purchases (within a year discounting changes little and would cost a
// model evaluation per month per customer).
const (
	clvMonths     = 12
	weeksPerMonth = 365.25 / 12 / 7
)

// customerRows fills Result.Customers for the active customers.
func (p *pipeline) customerRows() {
	F := p.feat.X
	rfm := rfmScores(F.Col(fRecency), F.Col(fFrequency), F.Col(fMonetaryTotal))
	xy := p.projection()
	clv := p.clv()
	out := make([]CustomerResult, len(p.active))
	for k, i := range p.active {
		c := &p.in.Customers[i]
		cons := normalConsent(c.Consent)
		out[k] = CustomerResult{ID: c.ID, Cluster: p.labels[k], RFM: rfm[k], PAlive: F.At(k, fPAlive),
			ExpectedCLV: clv[k], X: xy[2*k], Y: xy[2*k+1], Consent: cons, Exportable: Exportable(cons),
			Platforms: c.Platforms}
		for _, cs := range p.churn {
			if cs.p == nil {
				continue
			}
			if out[k].Churn == nil {
				out[k].Churn = make(map[int]float64, len(p.churn))
			}
			out[k].Churn[cs.card.HorizonDays] = cs.p[k]
			if cs.reasons != nil {
				out[k].Reasons = cs.reasons[k]
			}
		}
	}
	p.res.Customers = out
}

// projection is the 2-D PCA of the clustered matrix, interleaved x, y.
func (p *pipeline) projection() []float64 {
	X := p.res.clusterX
	xy := make([]float64, 2*X.Rows)
	pca, err := scale.FitPCA(X, min(2, X.Cols))
	if err != nil {
		return xy
	}
	T, err := pca.TransformE(X)
	if err != nil {
		return xy
	}
	for i := 0; i < T.Rows; i++ {
		for j := 0; j < min(2, T.Cols); j++ {
			xy[2*i+j] = clean(T.At(i, j))
		}
	}
	return xy
}

// clv is each active customer's expected value over the next twelve months:
// BG/NBD expected purchases times the Gamma-Gamma expected order value,
// falling back to the customer's own average order value when the spend
// model cannot be fitted.
func (p *pipeline) clv() []float64 {
	n := len(p.active)
	rfm := make([]btyd.RFM, n)
	freq, mon := make([]float64, n), make([]float64, n)
	for k, i := range p.active {
		d, a := p.hist.upTo(i, p.asOfDay)
		rfm[k] = rfmAt(d, p.asOfDay)
		if len(d) > 1 {
			rfm[k].Monetary = (sum(a) - a[0]) / float64(len(d)-1)
		}
		if rfm[k].Monetary > 0 {
			// Gamma-Gamma needs positive spend; free repeat orders only
			// leave the fit, the customer is still valued.
			freq[k], mon[k] = rfm[k].X, rfm[k].Monetary
		}
	}
	gg, err := btyd.FitGammaGammaOptions(freq, mon, btyd.FitOptions{Seed: p.cfg.Seed, MaxSample: bgSample, Starts: 2})
	if err != nil || gg.Q <= 1 {
		p.say("the Gamma-Gamma spend model could not be fitted (%v); expected_clv uses each customer's own average order value", ggErr(gg, err))
		gg = nil
	}
	out := make([]float64, n)
	bg := p.feat.bg
	parallel(n, p.cfg.Workers, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			out[k] = clvOne(bg, gg, rfm[k], p.feat.X.At(k, fMonetaryAvg))
		}
	})
	return out
}

func clvOne(bg *btyd.BGNBD, gg *btyd.GammaGamma, r btyd.RFM, avg float64) float64 {
	if bg == nil {
		return 0
	}
	value := avg
	if gg != nil {
		value = gg.ExpectedAverageValue(r.X, r.Monetary)
	}
	return clean(bg.ExpectedPurchases(clvMonths*weeksPerMonth, r.X, r.TX, r.T) * value)
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func ggErr(gg *btyd.GammaGamma, err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("q = %.3g ≤ 1 gives no finite mean spend", gg.Q)
}
