package classify

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/omnify-cloud/omnify/ml"
)

// missingBin is the histogram slot for NaN; real values use 0..MaxBins-1.
const (
	missingBin   = 255
	histBins     = 256
	binSampleCap = 200_000 // rows used to place bin edges, as scikit-learn
)

// binMapper turns raw feature values into small bin codes. thresholds[j][b]
// is the upper edge of bin b: x <= thresholds[j][b] lands in bin b or below.
type binMapper struct {
	thresholds [][]float64
}

// fitBins places up to maxBins quantile bins per feature from a seeded
// subsample of rows.
func fitBins(X *ml.Matrix, maxBins int, seed int64, workers int) *binMapper {
	rows := sampleRows(X.Rows, seed)
	bm := &binMapper{thresholds: make([][]float64, X.Cols)}
	forEach(X.Cols, workers, func(j int) {
		vals := make([]float64, 0, len(rows))
		for _, i := range rows {
			if v := X.At(i, j); !math.IsNaN(v) {
				vals = append(vals, v)
			}
		}
		bm.thresholds[j] = binEdges(vals, maxBins)
	})
	return bm
}

// sampleRows returns every row index, or a seeded random subset of
// binSampleCap rows when there are more.
func sampleRows(n int, seed int64) []int {
	if n <= binSampleCap {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f6d6e69))
	out := rng.Perm(n)[:binSampleCap]
	slices.Sort(out)
	return out
}

// binEdges returns midpoints between distinct values when they fit in
// maxBins, otherwise midpoint-interpolated quantiles.
func binEdges(vals []float64, maxBins int) []float64 {
	slices.Sort(vals)
	distinct := slices.Compact(slices.Clone(vals))
	if len(distinct) <= maxBins {
		edges := make([]float64, 0, max(len(distinct)-1, 0))
		for k := 1; k < len(distinct); k++ {
			edges = append(edges, (distinct[k-1]+distinct[k])/2)
		}
		return edges
	}
	edges := make([]float64, 0, maxBins-1)
	for q := 1; q < maxBins; q++ {
		pos := float64(q) / float64(maxBins) * float64(len(vals)-1)
		lo, hi := int(math.Floor(pos)), int(math.Ceil(pos))
		edges = append(edges, (vals[lo]+vals[hi])/2)
	}
	return slices.Compact(edges)
}

// bin codes one value of feature j.
func (bm *binMapper) bin(j int, v float64) uint8 {
	if math.IsNaN(v) {
		return missingBin
	}
	b, _ := slices.BinarySearch(bm.thresholds[j], v)
	return uint8(b)
}

// numBins is the count of non-missing bins of feature j.
func (bm *binMapper) numBins(j int) int { return len(bm.thresholds[j]) + 1 }

// transform codes X column by column: the result holds feature j's codes
// for every row at [j*Rows, (j+1)*Rows), the layout histogram building scans.
func (bm *binMapper) transform(X *ml.Matrix, workers int) []uint8 {
	out := make([]uint8, X.Rows*X.Cols)
	forEach(X.Cols, workers, func(j int) {
		col := out[j*X.Rows : (j+1)*X.Rows]
		for i := range col {
			col[i] = bm.bin(j, X.Data[i*X.Cols+j])
		}
	})
	return out
}

// threshold converts "bins 0..b go left" into a raw-value cut; splitting
// after the last real bin sends every non-missing value left.
func (bm *binMapper) threshold(j, b int) float64 {
	if b >= len(bm.thresholds[j]) {
		return math.Inf(1)
	}
	return bm.thresholds[j][b]
}
