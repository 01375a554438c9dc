// Package metrics owns the scores OmniFy uses to judge binary classifiers,
// chiefly the churn models: ranking quality (ROC AUC, average precision) and
// probability quality (Brier score, log-loss, reliability bins).
//
// Every function follows scikit-learn's definition of the same name, so a
// number on the dashboard can be reproduced in a notebook. Inputs that make
// a score meaningless (one class only, mismatched lengths, NaN, probabilities
// outside [0, 1]) are reported as errors rather than turned into NaN.
package metrics

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors, wrapped with context by every function.
var (
	ErrEmpty       = errors.New("no samples")
	ErrLength      = errors.New("labels and scores differ in length")
	ErrSingleClass = errors.New("labels hold a single class")
	ErrNaN         = errors.New("score is NaN or infinite")
	ErrRange       = errors.New("probability outside [0, 1]")
	ErrLabel       = errors.New("label is not 0 or 1")
)

// BoolLabels converts 0/1 integer labels to booleans (1 = positive).
func BoolLabels(y []int) ([]bool, error) {
	out := make([]bool, len(y))
	for i, v := range y {
		if v != 0 && v != 1 {
			return nil, fmt.Errorf("label %d = %d: %w", i, v, ErrLabel)
		}
		out[i] = v == 1
	}
	return out, nil
}

// checkScores validates the inputs shared by every metric and returns the
// number of positives.
func checkScores(y []bool, s []float64) (int, error) {
	if len(y) == 0 {
		return 0, ErrEmpty
	}
	if len(y) != len(s) {
		return 0, fmt.Errorf("%d labels, %d scores: %w", len(y), len(s), ErrLength)
	}
	pos := 0
	for i, v := range s {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("score %d: %w", i, ErrNaN)
		}
		if y[i] {
			pos++
		}
	}
	if pos == 0 || pos == len(y) {
		return 0, ErrSingleClass
	}
	return pos, nil
}

// checkProbs adds the [0, 1] range check for probability metrics.
func checkProbs(y []bool, p []float64) error {
	if _, err := checkScores(y, p); err != nil {
		return err
	}
	for i, v := range p {
		if v < 0 || v > 1 {
			return fmt.Errorf("probability %d = %g: %w", i, v, ErrRange)
		}
	}
	return nil
}

// Brier returns the mean squared difference between p and the 0/1 outcome.
func Brier(y []bool, p []float64) (float64, error) {
	if err := checkProbs(y, p); err != nil {
		return 0, fmt.Errorf("brier: %w", err)
	}
	var sum float64
	for i, v := range p {
		d := v - b2f(y[i])
		sum += d * d
	}
	return sum / float64(len(p)), nil
}

// logLossEps matches scikit-learn's clipping (float64 machine epsilon), so a
// confident wrong prediction costs a large but finite amount.
const logLossEps = 2.220446049250313e-16

// LogLoss returns the mean negative log-likelihood of the outcomes under p.
func LogLoss(y []bool, p []float64) (float64, error) {
	if err := checkProbs(y, p); err != nil {
		return 0, fmt.Errorf("log loss: %w", err)
	}
	var sum float64
	for i, v := range p {
		v = min(max(v, logLossEps), 1-logLossEps)
		if y[i] {
			sum -= math.Log(v)
		} else {
			sum -= math.Log(1 - v)
		}
	}
	return sum / float64(len(p)), nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
