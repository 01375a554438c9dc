package scale

import (
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

// Standardizer holds per-column means and population standard deviations.
// A column that is constant up to rounding error has Std 0; transforms treat
// it as scale 1, so the column maps to 0 instead of NaN or noise.
type Standardizer struct {
	Mean, Std []float64
}

// FitStandardizer learns column means and standard deviations (ddof 0, as
// scikit-learn's StandardScaler). It returns nil for an empty or non-finite
// matrix; use FitStandardizerE to get the reason.
func FitStandardizer(X *ml.Matrix) *Standardizer {
	s, err := FitStandardizerE(X)
	if err != nil {
		return nil
	}
	return s
}

// FitStandardizerE is FitStandardizer with the validation error reported.
func FitStandardizerE(X *ml.Matrix) (*Standardizer, error) {
	if err := checkMatrix(X); err != nil {
		return nil, fmt.Errorf("fit standardizer: %w", err)
	}
	mean, std := meanStd(X)
	return &Standardizer{Mean: mean, Std: std}, nil
}

// meanStd uses a two-pass computation: the second pass over centred values
// keeps precision for columns with a large offset (revenues in cents).
func meanStd(X *ml.Matrix) (mean, std []float64) {
	d := X.Cols
	mean = make([]float64, d)
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Row(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(X.Rows)
	}
	std = make([]float64, d)
	corr := make([]float64, d)
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Row(i) {
			c := v - mean[j]
			std[j] += c * c
			corr[j] += c
		}
	}
	n := float64(X.Rows)
	for j := range std {
		v := math.Max((std[j]-corr[j]*corr[j]/n)/n, 0)
		// A variance within rounding error of zero (relative to the column's
		// magnitude) is a constant column; report it as exactly 0.
		bound := n*epsilon*v + math.Pow(n*mean[j]*epsilon, 2)
		if v <= bound {
			v = 0
		}
		std[j] = math.Sqrt(v)
	}
	return mean, std
}

func (s *Standardizer) scales() []float64 {
	sc := make([]float64, len(s.Std))
	for j, v := range s.Std {
		sc[j] = safeScale(v)
	}
	return sc
}

// Transform returns (X-Mean)/Std as a new matrix. A nil result means X has
// the wrong width; see TransformE.
func (s *Standardizer) Transform(X *ml.Matrix) *ml.Matrix {
	out, err := s.TransformE(X)
	if err != nil {
		return nil
	}
	return out
}

// TransformE is Transform with the width check reported as an error.
func (s *Standardizer) TransformE(X *ml.Matrix) (*ml.Matrix, error) {
	if err := checkCols(X, len(s.Mean)); err != nil {
		return nil, fmt.Errorf("standardize: %w", err)
	}
	out := affine(X, s.Mean, s.scales())
	for j, sd := range s.Std {
		if sd == 0 { // exactly 0 even when the mean picked up rounding error
			for i := 0; i < out.Rows; i++ {
				out.Data[i*out.Cols+j] = 0
			}
		}
	}
	return out, nil
}

// InverseTransform maps standardized values back to original units, for
// example to report cluster centres in dollars and days.
func (s *Standardizer) InverseTransform(X *ml.Matrix) *ml.Matrix {
	if checkCols(X, len(s.Mean)) != nil {
		return nil
	}
	return unaffine(X, s.Mean, s.scales())
}
