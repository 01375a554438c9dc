package classify

import (
	"errors"
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

// ClassWeight scales each sample's loss by its class. The zero value weighs
// both classes 1.
type ClassWeight struct{ Negative, Positive float64 }

// BalancedWeights returns n / (2·count) per class, scikit-learn's
// class_weight="balanced", which keeps a rare churn class from being ignored.
func BalancedWeights(y []bool) ClassWeight {
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	n := float64(len(y))
	if pos == 0 || pos == len(y) {
		return ClassWeight{1, 1}
	}
	return ClassWeight{Negative: n / (2 * float64(len(y)-pos)), Positive: n / (2 * float64(pos))}
}

func (w ClassWeight) of(v bool) float64 {
	if w == (ClassWeight{}) {
		return 1
	}
	if v {
		return w.Positive
	}
	return w.Negative
}

// LogisticConfig controls FitLogistic. Start from DefaultLogisticConfig: the
// zero value of FitIntercept means "no intercept".
type LogisticConfig struct {
	C            float64     // inverse L2 strength; 0 means 1.0, as scikit-learn
	MaxIter      int         // Newton iterations; 0 means 100
	Tol          float64     // stop when no coefficient moves more than Tol; 0 means 1e-10
	FitIntercept bool        // fit an unpenalised intercept
	ClassWeight  ClassWeight // zero value weighs classes equally
	Workers      int         // goroutines; 0 means GOMAXPROCS
}

// DefaultLogisticConfig mirrors scikit-learn's LogisticRegression defaults.
func DefaultLogisticConfig() LogisticConfig {
	return LogisticConfig{C: 1, MaxIter: 100, Tol: 1e-10, FitIntercept: true}
}

func (c LogisticConfig) withDefaults() LogisticConfig {
	if c.C == 0 {
		c.C = 1
	}
	if c.MaxIter == 0 {
		c.MaxIter = 100
	}
	if c.Tol == 0 {
		c.Tol = 1e-10
	}
	return c
}

func (c LogisticConfig) validate() error {
	switch {
	case !(c.C > 0) || math.IsInf(c.C, 0):
		return fmt.Errorf("the inverse regularisation strength C = %g must be positive", c.C)
	case c.MaxIter < 0 || c.Tol < 0:
		return errors.New("MaxIter and Tol must not be negative")
	case c.ClassWeight != (ClassWeight{}) && !(c.ClassWeight.Negative > 0 && c.ClassWeight.Positive > 0):
		return errors.New("class weights must be positive")
	}
	return nil
}

// Logistic is a fitted L2-regularised logistic regression.
type Logistic struct {
	Coef       []float64 // one per feature
	Intercept  float64
	Iterations int  // Newton steps taken
	Converged  bool // false when MaxIter ran out first
}

var _ Model = (*Logistic)(nil)

// FitLogistic minimises ½‖w‖² + C·Σ weight·logloss, the objective of
// scikit-learn's lbfgs solver, by Newton's method with a backtracking line
// search. With few features the exact Hessian is cheap and converges in a
// handful of passes to the same optimum.
func FitLogistic(X *ml.Matrix, y []bool, cfg LogisticConfig) (*Logistic, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("fit logistic: %w", err)
	}
	if err := checkTraining(X, y, false); err != nil {
		return nil, fmt.Errorf("fit logistic: %w", err)
	}
	p := newLogisticProblem(X, y, cfg)
	theta := make([]float64, p.dim)
	m := &Logistic{}
	for m.Iterations < cfg.MaxIter {
		m.Iterations++
		step, err := p.newtonStep(theta)
		if err != nil {
			return nil, fmt.Errorf("fit logistic: iteration %d: %w", m.Iterations, err)
		}
		if maxAbs(step) <= cfg.Tol {
			m.Converged = true
			break
		}
	}
	m.Coef = append([]float64(nil), theta[:X.Cols]...)
	if cfg.FitIntercept {
		m.Intercept = theta[X.Cols]
	}
	return m, nil
}

// NumFeatures reports the fitted width.
func (m *Logistic) NumFeatures() int { return len(m.Coef) }

// Decision returns the log-odds for one row, NaN if x has the wrong width.
// A NaN feature contributes nothing, i.e. it is read as the training mean of
// standardised inputs.
func (m *Logistic) Decision(x []float64) float64 {
	if len(x) != len(m.Coef) {
		return math.NaN()
	}
	z := m.Intercept
	for j, c := range m.Coef {
		if v := x[j]; v == v {
			z += c * v
		}
	}
	return z
}

// PredictProba returns P(churn) per row.
func (m *Logistic) PredictProba(X *ml.Matrix) []float64 {
	if !fits(X, len(m.Coef)) {
		return nil
	}
	out := make([]float64, X.Rows)
	for i := range out {
		out[i] = sigmoid(m.Decision(X.Row(i)))
	}
	return out
}

// Contributions returns coef_j·x_j (0 for NaN), each feature's share of the
// log-odds beyond the intercept. On standardised inputs they rank the reasons a
// customer scores high.
func (m *Logistic) Contributions(x []float64) []float64 {
	out := make([]float64, len(m.Coef))
	for j, c := range m.Coef {
		if j < len(x) && x[j] == x[j] {
			out[j] = c * x[j]
		}
	}
	return out
}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}
