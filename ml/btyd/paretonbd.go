package btyd

import (
	"fmt"
	"math"
)

// ParetoNBD is a fitted Pareto/NBD model (Schmittlein, Morrison & Colombo
// 1987): while active a customer buys at a Poisson rate λ ~ Gamma(R,
// Alpha) and stays active for an exponential lifetime with rate
// μ ~ Gamma(S, Beta).
type ParetoNBD struct {
	R, Alpha, S, Beta float64
	// LogLik is the log-likelihood of the fitted customers.
	LogLik float64
	// SampleSize is the number of customers the fit used.
	SampleSize int
}

// FitParetoNBD estimates a Pareto/NBD model by maximum likelihood.
func FitParetoNBD(data []RFM, opts FitOptions) (*ParetoNBD, error) {
	if err := validateRFM(data); err != nil {
		return nil, fmt.Errorf("fit pareto/nbd: %w", err)
	}
	if err := checkIdentifiable(data); err != nil {
		return nil, fmt.Errorf("fit pareto/nbd: %w", err)
	}
	opts = opts.WithDefaults()
	sample := sampleRFM(data, opts.MaxSample, opts.Seed)
	lt := math.Log(meanT(sample))
	start := []float64{0, lt, 0, lt}
	p, ll, err := fitStaged(sample, opts, start, paretoObjective)
	if err != nil {
		return nil, fmt.Errorf("fit pareto/nbd: %w", err)
	}
	return &ParetoNBD{R: p[0], Alpha: p[1], S: p[2], Beta: p[3], LogLik: ll, SampleSize: len(sample)}, nil
}

// Params returns the fitted parameters under their conventional names.
func (m *ParetoNBD) Params() map[string]float64 {
	return map[string]float64{"r": m.R, "alpha": m.Alpha, "s": m.S, "beta": m.Beta}
}

// paretoObjective returns the negative mean log-likelihood of c over
// (log r, log α, log s, log β). The hypergeometric terms depend on (x, t_x)
// and (x, T) only, so they are evaluated once per distinct pair.
func paretoObjective(c *compact) objective {
	txKeys, txPair := pairs(c.xi, c.txi)
	tKeys, tPair := pairs(c.xi, c.ti)
	head, lrsx := make([]float64, len(c.xs)), make([]float64, len(c.xs))
	lTx, lT := make([]float64, len(txKeys)), make([]float64, len(tKeys))
	alive := make([]float64, len(tKeys))
	logQTx, logQT := make([]float64, len(c.txs)), make([]float64, len(c.ts))
	return func(lp []float64) float64 {
		r, alpha, s, beta := math.Exp(lp[0]), math.Exp(lp[1]), math.Exp(lp[2]), math.Exp(lp[3])
		if !finite(r * alpha * s * beta) {
			return math.Inf(1)
		}
		k := newParetoTerms(r, alpha, s, beta)
		for i, x := range c.xs {
			head[i] = lgamma(r+x) - lgamma(r) + r*math.Log(alpha) + s*math.Log(beta)
			lrsx[i] = math.Log(s) - math.Log(r+s+x)
		}
		logAll(logQTx, c.txs, k.hi)
		logAll(logQT, c.ts, k.hi)
		parallelFor(len(txKeys), 2048, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				x := c.xs[txKeys[i][0]]
				lTx[i] = k.logF(x, c.txs[txKeys[i][1]]) - (r+s+x)*logQTx[txKeys[i][1]]
			}
		})
		parallelFor(len(tKeys), 2048, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				x, T := c.xs[tKeys[i][0]], c.ts[tKeys[i][1]]
				lT[i] = k.logF(x, T) - (r+s+x)*logQT[tKeys[i][1]]
				alive[i] = -(r+x)*math.Log(alpha+T) - s*math.Log(beta+T)
			}
		})
		sum := chunkedSum(len(c.w), func(lo, hi int) float64 {
			part := 0.0
			for row := lo; row < hi; row++ {
				a0 := logSubExp(lTx[txPair[row]], lT[tPair[row]])
				al := alive[tPair[row]]
				dead := lrsx[c.xi[row]] + a0
				part += c.w[row] * (head[c.xi[row]] + al + log1pExp(dead-al))
			}
			return part
		})
		return -sum / c.total
	}
}

// paretoTerms evaluates the integral A0 of the Pareto/NBD likelihood in
// the form that keeps the hypergeometric argument in [0, 1): expand around
// the larger of α and β.
type paretoTerms struct {
	r, s, hi, gap float64
	alphaSmaller  bool
}

func newParetoTerms(r, alpha, s, beta float64) paretoTerms {
	return paretoTerms{r: r, s: s, hi: math.Max(alpha, beta), gap: math.Abs(alpha - beta), alphaSmaller: alpha < beta}
}

// logF returns log 2F1(r+s+x, b; r+s+x+1; z) with z = |α-β|/(max(α,β)+t).
// Euler's transformation rewrites it as (1-z)^(1-b) 2F1(1, r+s+x+1-b;
// r+s+x+1; z), whose terms shrink at least as fast as z^n however many
// purchases x the customer made; the direct series first grows for
// large x.
func (k paretoTerms) logF(x, t float64) float64 {
	rsx := k.r + k.s + x
	b := k.s + 1
	if k.alphaSmaller {
		b = k.r + x
	}
	z := k.gap / (k.hi + t)
	l, _ := logHyp2f1(1, rsx+1-b, rsx+1, z)
	return l + (1-b)*math.Log1p(-z)
}

// logA0 combines the two hypergeometric terms at t_x and T:
// A0 = F(t_x)/(m+t_x)^(r+s+x) - F(T)/(m+T)^(r+s+x).
func (k paretoTerms) logA0(x, logFTx, logFT, tx, T float64) float64 {
	rsx := k.r + k.s + x
	lq1, lq2 := math.Log(k.hi+tx), math.Log(k.hi+T)
	return logSubExp(logFTx-rsx*lq1, logFT-rsx*lq2)
}

// PAlive returns the probability that a customer with history (x, tx, T)
// is still active at T.
func (m *ParetoNBD) PAlive(x, tx, T float64) float64 {
	k := newParetoTerms(m.R, m.Alpha, m.S, m.Beta)
	a0 := k.logA0(x, k.logF(x, tx), k.logF(x, T), tx, T)
	l := math.Log(m.S) - math.Log(m.R+m.S+x) + (m.R+x)*math.Log(m.Alpha+T) + m.S*math.Log(m.Beta+T) + a0
	return 1 / (1 + math.Exp(l))
}

// ExpectedPurchases returns the expected number of purchases in the next t
// time units by a customer with history (x, tx, T).
func (m *ParetoNBD) ExpectedPurchases(t, x, tx, T float64) float64 {
	if t <= 0 {
		return 0
	}
	bt := m.Beta + T
	rate := (m.R + x) * bt / (m.Alpha + T)
	var life float64
	if math.Abs(m.S-1) < 1e-9 {
		life = math.Log1p(t / bt)
	} else {
		life = -math.Expm1((m.S-1)*math.Log(bt/(bt+t))) / (m.S - 1)
	}
	return nonNegative(rate * life * m.PAlive(x, tx, T))
}
