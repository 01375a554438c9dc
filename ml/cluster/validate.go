package cluster

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/omnify-cloud/omnify/ml"
)

// Errors returned for unusable input; wrapped with the calling algorithm's name.
var (
	ErrEmpty     = errors.New("empty input")
	ErrNonFinite = errors.New("non-finite value in input")
	ErrShape     = errors.New("inconsistent shape")
)

// checkX rejects matrices the algorithms cannot handle meaningfully.
func checkX(X *ml.Matrix) error {
	if X == nil || X.Rows == 0 || X.Cols == 0 {
		return ErrEmpty
	}
	if len(X.Data) != X.Rows*X.Cols {
		return fmt.Errorf("%w: %d values for %d×%d", ErrShape, len(X.Data), X.Rows, X.Cols)
	}
	for i, v := range X.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: row %d, column %d", ErrNonFinite, i/X.Cols, i%X.Cols)
		}
	}
	return nil
}

// checkK validates a requested number of clusters against n points.
func checkK(k, n int) error {
	if k < 1 {
		return fmt.Errorf("k=%d must be at least 1", k)
	}
	if k > n {
		return fmt.Errorf("k=%d exceeds the %d points", k, n)
	}
	return nil
}

// checkLabels validates labels for the cluster-quality metrics and returns
// them encoded as dense ids 0..nLabels-1 (ordered by label value).
func checkLabels(X *ml.Matrix, labels []int) (enc []int, nLabels int, err error) {
	if err := checkX(X); err != nil {
		return nil, 0, err
	}
	if len(labels) != X.Rows {
		return nil, 0, fmt.Errorf("%w: %d labels for %d points", ErrShape, len(labels), X.Rows)
	}
	enc, nLabels = encodeLabels(labels)
	if nLabels < 2 || nLabels > X.Rows-1 {
		return nil, 0, fmt.Errorf("%d distinct labels, valid values are 2 to n-1=%d", nLabels, X.Rows-1)
	}
	return enc, nLabels, nil
}

// encodeLabels maps label values to 0..L-1 in increasing value order, so
// every distinct value (noise -1 included) is its own cluster.
func encodeLabels(labels []int) ([]int, int) {
	seen := map[int]int{}
	for _, l := range labels {
		seen[l] = 0
	}
	vals := make([]int, 0, len(seen))
	for v := range seen {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	for i, v := range vals {
		seen[v] = i
	}
	enc := make([]int, len(labels))
	for i, l := range labels {
		enc[i] = seen[l]
	}
	return enc, len(vals)
}
