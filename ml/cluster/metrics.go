package cluster

import (
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

// centroids returns the per-cluster means and sizes of encoded labels.
func centroids(X *ml.Matrix, enc []int, nl int) (*ml.Matrix, []int) {
	C := ml.NewMatrix(nl, X.Cols)
	sizes := make([]int, nl)
	for i, l := range enc {
		sizes[l]++
		row := C.Row(l)
		for j, v := range X.Row(i) {
			row[j] += v
		}
	}
	for c := 0; c < nl; c++ {
		row := C.Row(c)
		for j := range row {
			row[j] /= float64(sizes[c])
		}
	}
	return C, sizes
}

// DaviesBouldin returns the mean over clusters of the worst ratio of summed
// within-cluster scatter to centroid separation; lower is better and 0 is
// returned for degenerate layouts, as scikit-learn does.
func DaviesBouldin(X *ml.Matrix, labels []int) (float64, error) {
	enc, nl, err := checkLabels(X, labels)
	if err != nil {
		return 0, fmt.Errorf("davies-bouldin: %w", err)
	}
	C, sizes := centroids(X, enc, nl)
	intra := make([]float64, nl)
	for i, l := range enc {
		intra[l] += math.Sqrt(sqDist(X.Row(i), C.Row(l)))
	}
	allIntraZero := true
	for c := range intra {
		intra[c] /= float64(sizes[c])
		allIntraZero = allIntraZero && math.Abs(intra[c]) <= 1e-8
	}
	if allIntraZero {
		return 0, nil
	}
	return dbScore(C, intra), nil
}

func dbScore(C *ml.Matrix, intra []float64) float64 {
	nl := len(intra)
	allSepZero, total := true, 0.0
	for a := 0; a < nl; a++ {
		worst := 0.0
		for b := 0; b < nl; b++ {
			if a == b {
				continue
			}
			sep := math.Sqrt(sqDist(C.Row(a), C.Row(b)))
			if math.Abs(sep) > 1e-8 {
				allSepZero = false
			}
			if sep == 0 {
				continue // coincident centroids contribute 0, as with an infinite separation
			}
			worst = math.Max(worst, (intra[a]+intra[b])/sep)
		}
		total += worst
	}
	if allSepZero {
		return 0
	}
	return total / float64(nl)
}

// CalinskiHarabasz returns the ratio of between- to within-cluster
// dispersion scaled by degrees of freedom; higher is better. A partition
// with no within-cluster dispersion scores 1, as in scikit-learn.
func CalinskiHarabasz(X *ml.Matrix, labels []int) (float64, error) {
	enc, nl, err := checkLabels(X, labels)
	if err != nil {
		return 0, fmt.Errorf("calinski-harabasz: %w", err)
	}
	C, sizes := centroids(X, enc, nl)
	mean := make([]float64, X.Cols)
	for i := 0; i < X.Rows; i++ {
		for j, v := range X.Row(i) {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(X.Rows)
	}
	extra, intra := 0.0, 0.0
	for c := 0; c < nl; c++ {
		extra += float64(sizes[c]) * sqDist(C.Row(c), mean)
	}
	for i, l := range enc {
		intra += sqDist(X.Row(i), C.Row(l))
	}
	if intra == 0 {
		return 1, nil
	}
	n := float64(X.Rows)
	return extra * (n - float64(nl)) / (intra * float64(nl-1)), nil
}

// AdjustedRandIndex measures agreement between two labelings, corrected for
// chance: 1 for identical partitions (up to renaming), about 0 for random
// ones. Mismatched lengths score NaN.
func AdjustedRandIndex(a, b []int) float64 {
	if len(a) != len(b) {
		return math.NaN()
	}
	n := len(a)
	if n == 0 {
		return 1
	}
	ea, na := encodeLabels(a)
	eb, nb := encodeLabels(b)
	cont := make(map[[2]int]int)
	rowSum, colSum := make([]int, na), make([]int, nb)
	for i := range ea {
		cont[[2]int{ea[i], eb[i]}]++
		rowSum[ea[i]]++
		colSum[eb[i]]++
	}
	// Pair counts as in scikit-learn's pair confusion matrix.
	sumSq := 0.0
	for _, v := range cont {
		sumSq += float64(v) * float64(v)
	}
	sq := func(s []int) float64 {
		t := 0.0
		for _, v := range s {
			t += float64(v) * float64(v)
		}
		return t
	}
	nf := float64(n)
	tp := sumSq - nf
	fp := sq(colSum) - sumSq
	fn := sq(rowSum) - sumSq
	tn := nf*nf - fp - fn - sumSq
	if fn == 0 && fp == 0 {
		return 1
	}
	return 2 * (tp*tn - fn*fp) / ((tp+fn)*(fn+tn) + (tp+fp)*(fp+tn))
}
