package btyd_test

import (
	"math"
	"math/rand/v2"

	"github.com/omnify-cloud/omnify/ml/btyd"
)

// gammaRand draws from Gamma(shape, rate) (Marsaglia & Tsang 2000).
func gammaRand(rng *rand.Rand, shape, rate float64) float64 {
	if shape < 1 {
		return gammaRand(rng, shape+1, rate) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v / rate
		}
	}
}

func betaRand(rng *rand.Rand, a, b float64) float64 {
	x := gammaRand(rng, a, 1)
	return x / (x + gammaRand(rng, b, 1))
}

// simulateBGNBD draws n customers from a BG/NBD process with observation
// periods spread uniformly over [minT, maxT].
func simulateBGNBD(n int, r, alpha, a, b, minT, maxT float64, seed uint64) []btyd.RFM {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]btyd.RFM, n)
	for i := range out {
		lambda, p := gammaRand(rng, r, alpha), betaRand(rng, a, b)
		c := btyd.RFM{T: toDays(minT + (maxT-minT)*rng.Float64())}
		for t := 0.0; ; {
			t += rng.ExpFloat64() / lambda
			if t > c.T {
				break
			}
			c.X, c.TX = c.X+1, toDays(t)
			if rng.Float64() < p {
				break
			}
		}
		out[i] = c
	}
	return out
}

// simulateParetoNBD draws n customers from a Pareto/NBD process.
func simulateParetoNBD(n int, r, alpha, s, beta, minT, maxT float64, seed uint64) []btyd.RFM {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := make([]btyd.RFM, n)
	for i := range out {
		lambda, mu := gammaRand(rng, r, alpha), gammaRand(rng, s, beta)
		c := btyd.RFM{T: toDays(minT + (maxT-minT)*rng.Float64())}
		end := math.Min(c.T, rng.ExpFloat64()/mu)
		for t := 0.0; ; {
			t += rng.ExpFloat64() / lambda
			if t > end {
				break
			}
			c.X, c.TX = c.X+1, toDays(t)
		}
		out[i] = c
	}
	return out
}

// toDays rounds a time in weeks down to whole days, as Summarize does.
func toDays(weeks float64) float64 { return math.Floor(weeks*7) / 7 }
