package scale

import (
	"errors"
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

// ErrEmpty is returned when a fit is asked of a matrix with no rows or columns.
var ErrEmpty = errors.New("empty matrix")

// checkMatrix rejects shapes and values that would silently poison a fit.
func checkMatrix(X *ml.Matrix) error {
	if X == nil || X.Rows == 0 || X.Cols == 0 {
		return ErrEmpty
	}
	if len(X.Data) != X.Rows*X.Cols {
		return fmt.Errorf("matrix data has %d values, want %d", len(X.Data), X.Rows*X.Cols)
	}
	for i, v := range X.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("non-finite value at row %d, column %d", i/X.Cols, i%X.Cols)
		}
	}
	return nil
}

// checkCols rejects a matrix whose width differs from the fitted width.
func checkCols(X *ml.Matrix, want int) error {
	if X == nil {
		return ErrEmpty
	}
	if X.Cols != want {
		return fmt.Errorf("matrix has %d columns, scaler was fitted on %d", X.Cols, want)
	}
	return nil
}

// epsilon is the float64 machine epsilon.
const epsilon = 2.220446049250313e-16

// safeScale treats a spread below 10·epsilon as zero and returns 1 for it:
// such a column is only centred, never blown up by a division.
func safeScale(s float64) float64 {
	if s < 10*epsilon || math.IsNaN(s) {
		return 1
	}
	return s
}

// affine applies (x-center)/scale column-wise into a new matrix.
func affine(X *ml.Matrix, center, scale []float64) *ml.Matrix {
	out := ml.NewMatrix(X.Rows, X.Cols)
	for i := 0; i < X.Rows; i++ {
		src, dst := X.Row(i), out.Row(i)
		for j, v := range src {
			dst[j] = (v - center[j]) / scale[j]
		}
	}
	return out
}

// unaffine applies x*scale+center column-wise into a new matrix.
func unaffine(X *ml.Matrix, center, scale []float64) *ml.Matrix {
	out := ml.NewMatrix(X.Rows, X.Cols)
	for i := 0; i < X.Rows; i++ {
		src, dst := X.Row(i), out.Row(i)
		for j, v := range src {
			dst[j] = v*scale[j] + center[j]
		}
	}
	return out
}
