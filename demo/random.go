package demo

import (
	"math"
	"math/rand/v2"
)

// stream is a reusable random source re-seeded for each customer, so
// streaming a million customers allocates no generators.
type stream struct {
	src *rand.PCG
	*rand.Rand
}

func newStream() *stream {
	src := rand.NewPCG(0, 0)
	return &stream{src: src, Rand: rand.New(src)}
}

// Stream domains keep customers and campaigns independent.
const (
	domainCustomer = 1
	domainCampaign = 2
)

// reset positions the stream at item i of a domain under seed. The inputs
// are mixed with splitmix64 so neighbouring customers get unrelated
// streams.
func (s *stream) reset(seed int64, domain, i uint64) {
	s.src.Seed(splitmix(uint64(seed)^splitmix(domain)), splitmix(i+splitmix(uint64(seed))))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// gamma draws from Gamma(shape, rate) (Marsaglia & Tsang 2000).
func (s *stream) gamma(shape, rate float64) float64 {
	if shape < 1 {
		return s.gamma(shape+1, rate) * math.Pow(s.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := s.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		if math.Log(s.Float64()) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v / rate
		}
	}
}

// beta draws from Beta(a, b).
func (s *stream) beta(a, b float64) float64 {
	x := s.gamma(a, 1)
	return x / (x + s.gamma(b, 1))
}

// pick draws an index with probability proportional to weights.
func (s *stream) pick(weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	u := s.Float64() * total
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}
