// Package classify owns OmniFy's binary classifiers for churn: an L2
// logistic regression, histogram gradient-boosted trees, probability
// calibration (Platt and isotonic) and permutation importance.
//
// Models read features from an ml.Matrix (one row per customer) and labels
// as []bool (true = churned). Fitting is deterministic for a given seed and
// worker count does not change results. Bad input (no rows, one class,
// mismatched sizes, constant or non-finite features) is an error, never a
// panic or a NaN probability.
package classify

import (
	"errors"
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

// Model is a fitted binary classifier.
type Model interface {
	// PredictProba returns P(positive) for each row of X, or nil when X does
	// not have NumFeatures columns.
	PredictProba(X *ml.Matrix) []float64
	// NumFeatures is the number of columns the model was fitted on.
	NumFeatures() int
}

// Sentinel errors, wrapped with context by the fitting functions.
var (
	ErrEmpty           = errors.New("no training rows")
	ErrShape           = errors.New("matrix and labels disagree in shape")
	ErrSingleClass     = errors.New("labels hold a single class")
	ErrConstantFeature = errors.New("feature is constant")
	ErrNonFinite       = errors.New("feature value is NaN or infinite")
)

// checkMatrix validates X against the label count n.
func checkMatrix(X *ml.Matrix, n int) error {
	if X == nil || X.Rows == 0 || X.Cols == 0 {
		return ErrEmpty
	}
	if len(X.Data) != X.Rows*X.Cols {
		return fmt.Errorf("%d values for %d×%d: %w", len(X.Data), X.Rows, X.Cols, ErrShape)
	}
	if X.Rows != n {
		return fmt.Errorf("%d rows, %d labels: %w", X.Rows, n, ErrShape)
	}
	return nil
}

// fits reports whether X is a well-formed matrix of the given width.
func fits(X *ml.Matrix, cols int) bool {
	return X != nil && X.Cols == cols && X.Rows >= 0 && len(X.Data) == X.Rows*X.Cols
}

// checkLabels requires both classes to be present.
func checkLabels(y []bool) error {
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	if pos == 0 || pos == len(y) {
		return ErrSingleClass
	}
	return nil
}

// checkTraining runs the checks every fitter shares. allowNaN lets NaN
// through as "missing" for models that route it explicitly; infinities are
// always refused because they usually mean a division by zero upstream.
func checkTraining(X *ml.Matrix, y []bool, allowNaN bool) error {
	if err := checkMatrix(X, len(y)); err != nil {
		return err
	}
	if err := checkLabels(y); err != nil {
		return err
	}
	if err := checkValues(X, allowNaN); err != nil {
		return err
	}
	if c := ConstantColumns(X); len(c) > 0 {
		return fmt.Errorf("columns %v: %w", c, ErrConstantFeature)
	}
	return nil
}

// checkValues refuses infinities, and NaN unless allowNaN.
func checkValues(X *ml.Matrix, allowNaN bool) error {
	for i, v := range X.Data {
		if math.IsInf(v, 0) || (!allowNaN && math.IsNaN(v)) {
			return fmt.Errorf("row %d column %d: %w", i/X.Cols, i%X.Cols, ErrNonFinite)
		}
	}
	return nil
}

// ConstantColumns lists the columns of X that carry no information: every
// row holds the same value (NaN counts as a value of its own). Callers drop
// them before fitting.
func ConstantColumns(X *ml.Matrix) []int {
	var out []int
	for j := 0; j < X.Cols; j++ {
		if columnConstant(X, j) {
			out = append(out, j)
		}
	}
	return out
}

func columnConstant(X *ml.Matrix, j int) bool {
	first := X.Data[j]
	for i := 1; i < X.Rows; i++ {
		v := X.Data[i*X.Cols+j]
		if v != first && !(math.IsNaN(v) && math.IsNaN(first)) {
			return false
		}
	}
	return true
}

// sigmoid is the logistic function, written to avoid overflow in exp.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// softplus is log(1+exp(z)) without overflow.
func softplus(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
