package scale

import (
	"fmt"
	"math"
	"slices"

	"github.com/omnify-cloud/omnify/ml"
)

// RobustScaler centres each column on its median and divides by its
// interquartile range, so a handful of whale customers cannot squash everyone
// else into a sliver of the scale. A zero IQR is treated as scale 1.
type RobustScaler struct {
	Center, Scale []float64
}

// FitRobustScaler learns per-column medians and IQRs (25th-75th percentile,
// linear interpolation as numpy's default).
func FitRobustScaler(X *ml.Matrix) (*RobustScaler, error) {
	if err := checkMatrix(X); err != nil {
		return nil, fmt.Errorf("fit robust scaler: %w", err)
	}
	r := &RobustScaler{Center: make([]float64, X.Cols), Scale: make([]float64, X.Cols)}
	for j := 0; j < X.Cols; j++ {
		col := X.Col(j)
		slices.Sort(col)
		r.Center[j] = quantileSorted(col, 0.5)
		r.Scale[j] = safeScale(quantileSorted(col, 0.75) - quantileSorted(col, 0.25))
	}
	return r, nil
}

// quantileSorted interpolates linearly between order statistics.
func quantileSorted(sorted []float64, q float64) float64 {
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	frac := pos - float64(lo)
	return sorted[lo] + (sorted[hi]-sorted[lo])*frac
}

// Transform returns (X-Center)/Scale as a new matrix, or nil when X has the
// wrong width; see TransformE.
func (r *RobustScaler) Transform(X *ml.Matrix) *ml.Matrix {
	out, err := r.TransformE(X)
	if err != nil {
		return nil
	}
	return out
}

// TransformE is Transform with the width check reported as an error.
func (r *RobustScaler) TransformE(X *ml.Matrix) (*ml.Matrix, error) {
	if err := checkCols(X, len(r.Center)); err != nil {
		return nil, fmt.Errorf("robust scale: %w", err)
	}
	return affine(X, r.Center, r.Scale), nil
}

// InverseTransform maps robust-scaled values back to original units.
func (r *RobustScaler) InverseTransform(X *ml.Matrix) (*ml.Matrix, error) {
	if err := checkCols(X, len(r.Center)); err != nil {
		return nil, fmt.Errorf("robust scale inverse: %w", err)
	}
	return unaffine(X, r.Center, r.Scale), nil
}

// Log1p returns a copy of X with sign(x)*log1p(|x|) applied to the given
// columns (all columns when cols is nil). Refunds and negative balances stay
// finite and keep their sign. Out-of-range column indexes are ignored.
func Log1p(X *ml.Matrix, cols []int) *ml.Matrix {
	out := X.Clone()
	if cols == nil {
		cols = make([]int, X.Cols)
		for j := range cols {
			cols[j] = j
		}
	}
	for _, j := range cols {
		if j < 0 || j >= X.Cols {
			continue
		}
		for i := 0; i < X.Rows; i++ {
			v := out.Data[i*X.Cols+j]
			out.Data[i*X.Cols+j] = math.Copysign(math.Log1p(math.Abs(v)), v)
		}
	}
	return out
}
