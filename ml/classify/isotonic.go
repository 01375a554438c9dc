package classify

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Isotonic is a non-decreasing, piecewise-linear map from score to
// probability, fitted by pool-adjacent-violators. It corrects any monotone
// miscalibration but needs a few thousand held-out rows not to overfit.
type Isotonic struct {
	X, Y  []float64 // knots: distinct scores and their fitted probabilities
	prior float64
}

// FitIsotonic fits isotonic regression of outcomes on p, as scikit-learn's
// IsotonicRegression(out_of_bounds="clip"): tied inputs are averaged first,
// predictions interpolate linearly between knots and clip outside them.
func FitIsotonic(p []float64, y []bool) (*Isotonic, error) {
	if err := checkCalibration(p, y); err != nil {
		return nil, fmt.Errorf("fit isotonic: %w", err)
	}
	xs, ys, ws := uniqueMeans(p, y)
	pav(ys, ws)
	var pos float64
	for _, v := range y {
		pos += b2f(v)
	}
	return &Isotonic{X: xs, Y: ys, prior: pos / float64(len(y))}, nil
}

// uniqueMeans sorts by p and averages the outcomes of tied scores.
func uniqueMeans(p []float64, y []bool) (xs, ys, ws []float64) {
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(p[a], p[b]) })
	for _, i := range order {
		if n := len(xs); n > 0 && xs[n-1] == p[i] {
			ys[n-1] += b2f(y[i])
			ws[n-1]++
			continue
		}
		xs, ys, ws = append(xs, p[i]), append(ys, b2f(y[i])), append(ws, 1)
	}
	for k := range ys {
		ys[k] /= ws[k]
	}
	return xs, ys, ws
}

// pav replaces v in place by its weighted non-decreasing least-squares fit,
// merging each violating block into its predecessor.
func pav(v, w []float64) {
	type block struct {
		mean, weight float64
		size         int
	}
	stack := make([]block, 0, len(v))
	for i := range v {
		stack = append(stack, block{v[i], w[i], 1})
		for len(stack) > 1 && stack[len(stack)-2].mean >= stack[len(stack)-1].mean {
			top, prev := stack[len(stack)-1], stack[len(stack)-2]
			wt := prev.weight + top.weight
			stack = stack[:len(stack)-1]
			stack[len(stack)-1] = block{(prev.mean*prev.weight + top.mean*top.weight) / wt, wt, prev.size + top.size}
		}
	}
	k := 0
	for _, b := range stack {
		for range b.size {
			v[k] = b.mean
			k++
		}
	}
}

// Apply interpolates between knots, clipping outside them; NaN input (or an
// unfitted value) yields the training churn rate.
func (m *Isotonic) Apply(p float64) float64 {
	n := len(m.X)
	switch {
	case math.IsNaN(p) || n == 0 || len(m.Y) != n:
		return m.prior
	case p <= m.X[0]:
		return m.Y[0]
	case p >= m.X[n-1]:
		return m.Y[n-1]
	}
	k, _ := slices.BinarySearch(m.X, p) // m.X[k-1] < p <= m.X[k]
	x0, x1, y0, y1 := m.X[k-1], m.X[k], m.Y[k-1], m.Y[k]
	return (y1-y0)/(x1-x0)*(p-x0) + y0
}
