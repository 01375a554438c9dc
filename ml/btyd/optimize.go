package btyd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// objective is a negative mean log-likelihood over log-parameters.
type objective func(logParams []float64) float64

// minimize runs Nelder-Mead from each start and polishes the best optimum,
// because a collapsed simplex can stall short of the minimum on the long,
// flat ridges these likelihoods have.
func minimize(f objective, starts [][]float64, maxEvals int) ([]float64, float64, error) {
	best, bestF, err := bestStart(f, starts, maxEvals)
	if err != nil {
		return nil, 0, err
	}
	x, fx := polish(f, best, bestF, 0.05, maxEvals)
	return x, fx, nil
}

// bestStart solves coarsely from each start and returns the best optimum.
func bestStart(f objective, starts [][]float64, maxEvals int) ([]float64, float64, error) {
	best, bestF := []float64(nil), math.Inf(1)
	for _, s := range starts {
		x, fx, _ := nelderMead(f, s, 0.5, coarse, maxEvals)
		if fx < bestF {
			best, bestF = x, fx
		}
	}
	switch {
	case math.IsInf(bestF, -1):
		return nil, 0, fmt.Errorf("likelihood unbounded, the data are degenerate (e.g. repeat purchases at time zero): %w", ErrInsufficientData)
	case best == nil || !finite(bestF):
		return nil, 0, fmt.Errorf("likelihood not finite at any starting point: %w", ErrInsufficientData)
	}
	return best, bestF, nil
}

// polish restarts Nelder-Mead from x with simplexes of the given step
// until a restart stops improving or maxEvals evaluations have been spent.
func polish(f objective, x []float64, fx, step float64, maxEvals int) ([]float64, float64) {
	for budget := maxEvals; budget > 0; {
		nx, nf, used := nelderMead(f, x, step, fine, budget)
		budget -= used
		improved := fx - nf
		if nf < fx {
			x, fx = nx, nf
		}
		if improved < 1e-12 {
			break
		}
		step = 0.05
	}
	return x, fx
}

// randomStarts returns base followed by n-1 seeded perturbations of it.
func randomStarts(base []float64, n int, seed int64) [][]float64 {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x73746172))
	out := [][]float64{append([]float64(nil), base...)}
	for len(out) < n {
		s := make([]float64, len(base))
		for i, b := range base {
			s[i] = b + rng.NormFloat64()
		}
		out = append(out, s)
	}
	return out
}

// tolerance stops Nelder-Mead when the simplex values agree to f
// (relative) and its vertices to x (in log-parameters).
type tolerance struct{ f, x float64 }

// Starting points are only compared, so they are solved coarsely, on the
// value alone (a flat ridge toward a limit can otherwise eat the whole
// budget); the winner is then polished to full precision.
var (
	coarse = tolerance{f: 1e-8, x: math.Inf(1)}
	fine   = tolerance{f: 1e-11, x: 1e-7}
)

// maxLogParam bounds the search to parameters in [e^-15, e^15], about
// [3e-7, 3e6]. Optima beyond it are limits (no drop-out at all, say) that
// the bound approximates closely, and the special functions lose their
// accuracy out there.
const maxLogParam = 15

type vertex struct {
	x []float64
	f float64
}

// nelderMead minimises f from x0 with an initial simplex of the given step,
// stopping at tol or when maxEvals is spent, and returns the best vertex,
// its value and the evaluations used.
func nelderMead(f objective, x0 []float64, step float64, tol tolerance, maxEvals int) ([]float64, float64, int) {
	n := len(x0)
	eval := func(x []float64) float64 {
		for _, v := range x {
			if math.Abs(v) > maxLogParam {
				return math.Inf(1)
			}
		}
		v := f(x)
		if math.IsNaN(v) {
			return math.Inf(1)
		}
		return v
	}
	simplex := make([]vertex, n+1)
	for i := range simplex {
		x := append([]float64(nil), x0...)
		if i > 0 {
			x[i-1] += step
		}
		simplex[i] = vertex{x, eval(x)}
	}
	evals := n + 1
	for evals < maxEvals {
		sort.Slice(simplex, func(i, j int) bool { return simplex[i].f < simplex[j].f })
		if converged(simplex, tol) {
			break
		}
		evals += nmStep(simplex, eval)
	}
	sort.Slice(simplex, func(i, j int) bool { return simplex[i].f < simplex[j].f })
	return simplex[0].x, simplex[0].f, evals
}

func converged(s []vertex, tol tolerance) bool {
	lo, hi := s[0].f, s[len(s)-1].f
	if math.IsInf(hi, 1) {
		return false
	}
	if math.Abs(hi-lo) > tol.f*(1+math.Abs(lo)) {
		return false
	}
	for _, v := range s[1:] {
		for j := range v.x {
			if math.Abs(v.x[j]-s[0].x[j]) > tol.x {
				return false
			}
		}
	}
	return true
}

// nmStep performs one reflect/expand/contract/shrink move on a sorted
// simplex and returns the number of evaluations it used.
func nmStep(s []vertex, eval func([]float64) float64) int {
	n := len(s) - 1
	centroid := make([]float64, n)
	for _, v := range s[:n] {
		for j, xj := range v.x {
			centroid[j] += xj / float64(n)
		}
	}
	along := func(t float64) []float64 {
		p := make([]float64, n)
		for j := range p {
			p[j] = centroid[j] + t*(s[n].x[j]-centroid[j])
		}
		return p
	}
	xr := along(-1)
	fr := eval(xr)
	switch {
	case fr < s[0].f:
		xe := along(-2)
		if fe := eval(xe); fe < fr {
			s[n] = vertex{xe, fe}
		} else {
			s[n] = vertex{xr, fr}
		}
		return 2
	case fr < s[n-1].f:
		s[n] = vertex{xr, fr}
		return 1
	}
	t := 0.5
	if fr >= s[n].f {
		t = -0.5
	}
	t = -t
	xc := along(t)
	if fc := eval(xc); fc < math.Min(fr, s[n].f) {
		s[n] = vertex{xc, fc}
		return 2
	}
	for i := 1; i <= n; i++ {
		for j := range s[i].x {
			s[i].x[j] = s[0].x[j] + 0.5*(s[i].x[j]-s[0].x[j])
		}
		s[i].f = eval(s[i].x)
	}
	return 2 + n
}

// pilotSize is the sample on which all starting points are explored before
// the best one is refined on the full sample.
const pilotSize = 5000

// fitStaged explores opts.Starts starting points on a small pilot sample,
// polishes the best on the whole sample and returns the parameters and
// the total log-likelihood of sample.
func fitStaged(sample []RFM, opts FitOptions, base []float64, obj func(*compact) objective) ([]float64, float64, error) {
	starts := randomStarts(base, opts.Starts, opts.Seed)
	full := compress(sample)
	var lp []float64
	var f float64
	if len(sample) > pilotSize*3/2 {
		pilot := compress(sampleRFM(sample, pilotSize, opts.Seed+1))
		best, _, err := bestStart(obj(pilot), starts, opts.MaxEvals)
		if err != nil {
			return nil, 0, err
		}
		fullObj := obj(full)
		lp, f = polish(fullObj, best, fullObj(best), 0.1, opts.MaxEvals)
	} else {
		var err error
		if lp, f, err = minimize(obj(full), starts, opts.MaxEvals); err != nil {
			return nil, 0, err
		}
	}
	if !finite(f) {
		return nil, 0, fmt.Errorf("likelihood not finite at the optimum: %w", ErrInsufficientData)
	}
	p := make([]float64, len(lp))
	for i, v := range lp {
		p[i] = math.Exp(v)
	}
	return p, -f * full.total, nil
}
