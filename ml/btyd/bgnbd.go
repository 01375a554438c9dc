package btyd

import (
	"fmt"
	"math"
)

// BGNBD is a fitted beta-geometric/negative-binomial model (Fader, Hardie
// & Lee 2005): while active a customer buys at a Poisson rate λ ~ Gamma(R,
// Alpha), and after each purchase drops out with probability p ~ Beta(A, B).
type BGNBD struct {
	R, Alpha, A, B float64
	// LogLik is the log-likelihood of the fitted customers.
	LogLik float64
	// SampleSize is the number of customers the fit used; it is smaller than
	// the input when the input exceeded FitOptions.MaxSample.
	SampleSize int
}

// FitBGNBD estimates a BG/NBD model by maximum likelihood.
func FitBGNBD(data []RFM, opts FitOptions) (*BGNBD, error) {
	if err := validateRFM(data); err != nil {
		return nil, fmt.Errorf("fit bgnbd: %w", err)
	}
	if err := checkIdentifiable(data); err != nil {
		return nil, fmt.Errorf("fit bgnbd: %w", err)
	}
	opts = opts.WithDefaults()
	sample := sampleRFM(data, opts.MaxSample, opts.Seed)
	start := []float64{0, math.Log(meanT(sample)), 0, 0}
	p, ll, err := fitStaged(sample, opts, start, bgnbdObjective)
	if err != nil {
		return nil, fmt.Errorf("fit bgnbd: %w", err)
	}
	return &BGNBD{R: p[0], Alpha: p[1], A: p[2], B: p[3], LogLik: ll, SampleSize: len(sample)}, nil
}

// Params returns the fitted parameters under their conventional names.
func (m *BGNBD) Params() map[string]float64 {
	return map[string]float64{"r": m.R, "alpha": m.Alpha, "a": m.A, "b": m.B}
}

// bgnbdObjective returns the negative mean log-likelihood of c over
// log-parameters (log r, log α, log a, log b).
func bgnbdObjective(c *compact) objective {
	nx := len(c.xs)
	base, rx, lrep := make([]float64, nx), make([]float64, nx), make([]float64, nx)
	logT, logTx := make([]float64, len(c.ts)), make([]float64, len(c.txs))
	return func(lp []float64) float64 {
		r, alpha, a, b := math.Exp(lp[0]), math.Exp(lp[1]), math.Exp(lp[2]), math.Exp(lp[3])
		if !finite(r * alpha * a * b) {
			return math.Inf(1)
		}
		common := -lgamma(r) + r*math.Log(alpha) - lbeta(a, b)
		for i, x := range c.xs {
			rx[i] = r + x
			base[i] = common + lgamma(r+x) + lbeta(a, b+x)
			lrep[i] = math.Inf(-1)
			if x > 0 {
				lrep[i] = math.Log(a) - math.Log(b+x-1)
			}
		}
		logAll(logT, c.ts, alpha)
		logAll(logTx, c.txs, alpha)
		sum := chunkedSum(len(c.w), func(lo, hi int) float64 {
			part := 0.0
			for k := lo; k < hi; k++ {
				i := c.xi[k]
				alive := -rx[i] * logT[c.ti[k]]
				dead := lrep[i] - rx[i]*logTx[c.txi[k]]
				part += c.w[k] * (base[i] + alive + log1pExp(dead-alive))
			}
			return part
		})
		return -sum / c.total
	}
}

// log1pExp returns log(1 + e^v). It uses Log rather than the slower
// Log1p: the absolute error of at most 1e-16 is immaterial in a sum of
// log-likelihoods.
func log1pExp(v float64) float64 {
	if v > 35 {
		return v
	}
	return math.Log(1 + math.Exp(v))
}

// logAll stores log(shift + v) for every v.
func logAll(dst, vals []float64, shift float64) {
	for i, v := range vals {
		dst[i] = math.Log(shift + v)
	}
}

func meanT(data []RFM) float64 {
	s := 0.0
	for _, d := range data {
		s += d.T
	}
	return math.Max(s/float64(len(data)), 1e-3)
}

// PAlive returns the probability that a customer with history (x, tx, T)
// is still active at T.
func (m *BGNBD) PAlive(x, tx, T float64) float64 {
	if x <= 0 {
		return 1
	}
	l := math.Log(m.A) - math.Log(m.B+x-1) + (m.R+x)*(math.Log(m.Alpha+T)-math.Log(m.Alpha+tx))
	return 1 / (1 + math.Exp(l))
}

// ExpectedPurchases returns the expected number of purchases in the next t
// time units by a customer with history (x, tx, T).
func (m *BGNBD) ExpectedPurchases(t, x, tx, T float64) float64 {
	if t <= 0 {
		return 0
	}
	return nonNegative(aroundOne(m.A, func(a float64) float64 {
		return m.conditional(a, t, x, tx, T)
	}))
}

func (m *BGNBD) conditional(a, t, x, tx, T float64) float64 {
	r, alpha, b := m.R, m.Alpha, m.B
	// The leading power and 2F1 are combined in log space: for frequent
	// buyers each alone overflows or underflows.
	logLead := (r + x) * math.Log((alpha+T)/(alpha+T+t))
	lh, sign := logHyp2f1(r+x, b+x, a+b+x-1, t/(alpha+T+t))
	num := (a + b + x - 1) / (a - 1) * (1 - sign*math.Exp(logLead+lh))
	den := 1.0
	if x > 0 {
		den += math.Exp(math.Log(a) - math.Log(b+x-1) + (r+x)*(math.Log(alpha+T)-math.Log(alpha+tx)))
	}
	return num / den
}

// aroundOne evaluates f at a, or, within 1e-4 of the removable singularity
// at a = 1 of the BG/NBD expectations, as the mean of its values either side.
func aroundOne(a float64, f func(float64) float64) float64 {
	const eps = 1e-4
	if math.Abs(a-1) >= eps {
		return f(a)
	}
	return (f(1-eps) + f(1+eps)) / 2
}

// ExpectedPurchasesNew returns the expected number of purchases in the
// first t time units of a customer drawn at random from the population.
func (m *BGNBD) ExpectedPurchasesNew(t float64) float64 {
	if t <= 0 {
		return 0
	}
	r, alpha, b := m.R, m.Alpha, m.B
	v := aroundOne(m.A, func(a float64) float64 {
		lh, sign := logHyp2f1(r, b, a+b-1, t/(alpha+t))
		return (a + b - 1) / (a - 1) * (1 - sign*math.Exp(r*math.Log(alpha/(alpha+t))+lh))
	})
	return nonNegative(v)
}

// nonNegative clamps the tiny negative round-off of a difference of nearly
// equal terms; NaN passes through so a broken model stays visible.
func nonNegative(v float64) float64 {
	if v < 0 {
		return 0
	}
	return v
}
