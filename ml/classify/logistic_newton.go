package classify

import (
	"errors"
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

// logisticProblem holds the data and settings for the Newton iterations.
// The parameter vector is the coefficients followed, when fitted, by the
// intercept.
type logisticProblem struct {
	X         *ml.Matrix
	y         []bool
	cfg       LogisticConfig
	dim       int
	intercept bool
}

func newLogisticProblem(X *ml.Matrix, y []bool, cfg LogisticConfig) *logisticProblem {
	dim := X.Cols
	if cfg.FitIntercept {
		dim++
	}
	return &logisticProblem{X: X, y: y, cfg: cfg, dim: dim, intercept: cfg.FitIntercept}
}

// margin is the linear predictor for row i.
func (p *logisticProblem) margin(theta []float64, i int) float64 {
	row := p.X.Row(i)
	z := 0.0
	if p.intercept {
		z = theta[p.X.Cols]
	}
	for j, v := range row {
		z += theta[j] * v
	}
	return z
}

// objective is ½‖w‖² + C·Σ weight·loss, with the intercept unpenalised.
func (p *logisticProblem) objective(theta []float64) float64 {
	partial := make([]float64, numChunks(p.X.Rows))
	forChunks(p.X.Rows, p.cfg.Workers, func(c, lo, hi int) {
		var s float64
		for i := lo; i < hi; i++ {
			z := p.margin(theta, i)
			s += p.cfg.ClassWeight.of(p.y[i]) * (softplus(z) - b2f(p.y[i])*z)
		}
		partial[c] = s
	})
	var loss, pen float64
	for _, s := range partial {
		loss += s
	}
	for j := 0; j < p.X.Cols; j++ {
		pen += theta[j] * theta[j]
	}
	return 0.5*pen + p.cfg.C*loss
}

// gradHess returns the gradient and the packed Hessian of the objective.
func (p *logisticProblem) gradHess(theta []float64) ([]float64, []float64) {
	d := p.dim
	parts := make([][]float64, numChunks(p.X.Rows))
	forChunks(p.X.Rows, p.cfg.Workers, func(c, lo, hi int) {
		acc := make([]float64, d+d*d)
		x := make([]float64, d)
		for i := lo; i < hi; i++ {
			copy(x, p.X.Row(i))
			if p.intercept {
				x[d-1] = 1
			}
			w := p.cfg.ClassWeight.of(p.y[i])
			pr := sigmoid(p.margin(theta, i))
			addOuter(acc, x, w*(pr-b2f(p.y[i])), w*pr*(1-pr))
		}
		parts[c] = acc
	})
	total := make([]float64, d+d*d)
	for _, acc := range parts {
		for k, v := range acc {
			total[k] += v
		}
	}
	return p.regularise(theta, total)
}

// addOuter accumulates g·x into acc[:d] and h·x xᵀ (upper triangle) after it.
func addOuter(acc, x []float64, g, h float64) {
	d := len(x)
	hess := acc[d:]
	for a, xa := range x {
		acc[a] += g * xa
		hx := h * xa
		row := hess[a*d : (a+1)*d]
		for b := a; b < d; b++ {
			row[b] += hx * x[b]
		}
	}
}

// regularise scales the data terms by C, adds the ridge penalty and fills
// the lower triangle of the Hessian.
func (p *logisticProblem) regularise(theta, total []float64) ([]float64, []float64) {
	d := p.dim
	grad, hess := total[:d], total[d:]
	for a := 0; a < d; a++ {
		grad[a] *= p.cfg.C
		for b := a; b < d; b++ {
			hess[a*d+b] *= p.cfg.C
			hess[b*d+a] = hess[a*d+b]
		}
	}
	for j := 0; j < p.X.Cols; j++ {
		grad[j] += theta[j]
		hess[j*d+j]++
	}
	return grad, hess
}

// newtonStep moves theta in place along the damped Newton direction and
// returns the step taken.
func (p *logisticProblem) newtonStep(theta []float64) ([]float64, error) {
	grad, hess := p.gradHess(theta)
	dir, err := choleskySolve(hess, grad, p.dim)
	if err != nil {
		return nil, err
	}
	f0 := p.objective(theta)
	slope := 0.0
	for k := range dir {
		dir[k] = -dir[k]
		slope += grad[k] * dir[k]
	}
	trial := make([]float64, p.dim)
	t := 1.0
	for range 40 {
		for k := range trial {
			trial[k] = theta[k] + t*dir[k]
		}
		if p.objective(trial) <= f0+1e-4*t*slope {
			break
		}
		t /= 2
	}
	for k := range dir {
		dir[k] *= t
		theta[k] = trial[k]
	}
	return dir, nil
}

var errNotPositiveDefinite = errors.New("hessian is not positive definite (perfectly separated data without an intercept penalty?)")

// choleskySolve solves A·x = b for a symmetric positive definite d×d A.
func choleskySolve(a, b []float64, d int) ([]float64, error) {
	l := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for j := 0; j <= i; j++ {
			s := a[i*d+j]
			for k := 0; k < j; k++ {
				s -= l[i*d+k] * l[j*d+k]
			}
			if i == j {
				if !(s > 0) || math.IsInf(s, 0) {
					return nil, errNotPositiveDefinite
				}
				l[i*d+i] = math.Sqrt(s)
			} else {
				l[i*d+j] = s / l[j*d+j]
			}
		}
	}
	x := make([]float64, d)
	for i := 0; i < d; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i*d+k] * x[k]
		}
		x[i] = s / l[i*d+i]
	}
	for i := d - 1; i >= 0; i-- {
		s := x[i]
		for k := i + 1; k < d; k++ {
			s -= l[k*d+i] * x[k]
		}
		x[i] = s / l[i*d+i]
	}
	return x, nil
}
