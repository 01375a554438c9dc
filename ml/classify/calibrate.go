package classify

import (
	"errors"
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

// Calibrator maps a model's score to a probability that matches observed
// churn rates.
type Calibrator interface {
	Apply(p float64) float64
}

// Calibrated wraps a model with a calibrator fitted on held-out rows.
type Calibrated struct {
	Base Model
	Cal  Calibrator
}

var (
	_ Model      = Calibrated{}
	_ Calibrator = (*Platt)(nil)
	_ Calibrator = (*Isotonic)(nil)
)

// PredictProba calibrates the base model's probabilities.
func (c Calibrated) PredictProba(X *ml.Matrix) []float64 {
	if c.Base == nil || c.Cal == nil {
		return nil
	}
	p := c.Base.PredictProba(X)
	for i, v := range p {
		p[i] = c.Cal.Apply(v)
	}
	return p
}

// NumFeatures is the base model's width.
func (c Calibrated) NumFeatures() int {
	if c.Base == nil {
		return 0
	}
	return c.Base.NumFeatures()
}

// checkCalibration validates a (score, label) sample.
func checkCalibration(s []float64, y []bool) error {
	if len(s) == 0 {
		return ErrEmpty
	}
	if len(s) != len(y) {
		return fmt.Errorf("%d scores, %d labels: %w", len(s), len(y), ErrShape)
	}
	for i, v := range s {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("score %d: %w", i, ErrNonFinite)
		}
	}
	return checkLabels(y)
}

// Platt is a logistic fit P = sigmoid(A·s + B) of outcomes on scores. With
// Logit set, Apply first turns its input probability into log-odds.
type Platt struct {
	A, B  float64
	Logit bool
}

// FitPlatt fits Platt scaling on raw scores (log-odds, decision values),
// with Platt's smoothed targets as scikit-learn's sigmoid calibration, which
// keep the fit finite when the scores separate the classes.
func FitPlatt(scores []float64, y []bool) (*Platt, error) {
	if err := checkCalibration(scores, y); err != nil {
		return nil, fmt.Errorf("fit platt: %w", err)
	}
	a, b, err := plattNewton(scores, plattTargets(y))
	if err != nil {
		return nil, fmt.Errorf("fit platt: %w", err)
	}
	return &Platt{A: a, B: b}, nil
}

// FitPlattProba fits Platt scaling on the log-odds of probabilities p, the
// form suited to wrapping a Model in Calibrated.
func FitPlattProba(p []float64, y []bool) (*Platt, error) {
	z := make([]float64, len(p))
	for i, v := range p {
		z[i] = logit(v)
	}
	pl, err := FitPlatt(z, y)
	if err != nil {
		return nil, err
	}
	pl.Logit = true
	return pl, nil
}

// Apply returns the calibrated probability; NaN input yields 0.5.
func (p *Platt) Apply(s float64) float64 {
	if math.IsNaN(s) {
		return 0.5
	}
	if p.Logit {
		s = logit(s)
	}
	return sigmoid(p.A*s + p.B)
}

// logit clips to keep 0 and 1 finite.
func logit(p float64) float64 {
	p = min(max(p, 1e-15), 1-1e-15)
	return math.Log(p / (1 - p))
}

func plattTargets(y []bool) []float64 {
	pos := 0.0
	for _, v := range y {
		pos += b2f(v)
	}
	neg := float64(len(y)) - pos
	t := make([]float64, len(y))
	for i, v := range y {
		t[i] = 1 / (neg + 2)
		if v {
			t[i] = (pos + 1) / (pos + 2)
		}
	}
	return t
}

var errConstantScores = errors.New("scores are constant")

// plattNewton minimises the cross-entropy of sigmoid(a·s+b) against t.
func plattNewton(s, t []float64) (float64, float64, error) {
	a, b := 0.0, 0.0
	for range 100 {
		var ga, gb, haa, hab, hbb float64
		for i, v := range s {
			p := sigmoid(a*v + b)
			d, w := p-t[i], max(p*(1-p), 1e-12)
			ga, gb = ga+d*v, gb+d
			haa, hab, hbb = haa+w*v*v, hab+w*v, hbb+w
		}
		det := haa*hbb - hab*hab
		if !(det > 1e-12*haa*hbb) {
			return 0, 0, errConstantScores
		}
		da, db := (hbb*ga-hab*gb)/det, (haa*gb-hab*ga)/det
		f0 := crossEntropy(s, t, a, b)
		step := 1.0
		for crossEntropy(s, t, a-step*da, b-step*db) > f0 && step > 1e-10 {
			step /= 2
		}
		a, b = a-step*da, b-step*db
		if math.Max(math.Abs(step*da), math.Abs(step*db)) < 1e-12 {
			break
		}
	}
	return a, b, nil
}

func crossEntropy(s, t []float64, a, b float64) float64 {
	var f float64
	for i, v := range s {
		z := a*v + b
		f += softplus(z) - t[i]*z
	}
	return f
}
