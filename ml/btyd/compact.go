package btyd

import "sync"

// compact is an RFM sample with duplicate customers merged into weighted
// rows and each column stored as indices into its distinct values. Real
// summaries are measured in whole days, so a column has few distinct values
// and the expensive per-value terms of a likelihood are computed once per
// value instead of once per customer.
type compact struct {
	w           []float64 // customers per row
	xi, txi, ti []int32   // per row: index into xs, txs, ts
	xs, txs, ts []float64 // distinct values of x, t_x and T
	total       float64   // sum of w
}

type rfmKey struct{ x, tx, t float64 }

func compress(data []RFM) *compact {
	c := &compact{}
	rows := make(map[rfmKey]int, len(data)/4+1)
	xIdx, txIdx, tIdx := map[float64]int32{}, map[float64]int32{}, map[float64]int32{}
	for _, d := range data {
		k := rfmKey{d.X, d.TX, d.T}
		if r, ok := rows[k]; ok {
			c.w[r]++
			continue
		}
		rows[k] = len(c.w)
		c.w = append(c.w, 1)
		c.xi = append(c.xi, intern(xIdx, &c.xs, d.X))
		c.txi = append(c.txi, intern(txIdx, &c.txs, d.TX))
		c.ti = append(c.ti, intern(tIdx, &c.ts, d.T))
	}
	c.total = float64(len(data))
	return c
}

func intern(seen map[float64]int32, vals *[]float64, v float64) int32 {
	if i, ok := seen[v]; ok {
		return i
	}
	i := int32(len(*vals))
	seen[v] = i
	*vals = append(*vals, v)
	return i
}

// pairs indexes the distinct (x, second) index pairs of the rows, for
// terms that depend jointly on x and one time column.
func pairs(xi, other []int32) (keys [][2]int32, idx []int32) {
	seen := map[[2]int32]int32{}
	idx = make([]int32, len(xi))
	for r := range xi {
		k := [2]int32{xi[r], other[r]}
		i, ok := seen[k]
		if !ok {
			i = int32(len(keys))
			seen[k] = i
			keys = append(keys, k)
		}
		idx[r] = i
	}
	return keys, idx
}

// sumChunks is the fixed number of parts a large sum is split into. It does
// not depend on the machine, so the floating-point result is the same
// everywhere and fits stay deterministic.
const sumChunks = 8

// chunkedSum returns the sum of part over [0, n), computing large sums as
// sumChunks concurrent parts added in a fixed order.
func chunkedSum(n int, part func(lo, hi int) float64) float64 {
	if n < 1<<14 {
		return part(0, n)
	}
	var parts [sumChunks]float64
	parallelFor(n, 0, func(chunk, lo, hi int) { parts[chunk] = part(lo, hi) })
	sum := 0.0
	for _, p := range parts {
		sum += p
	}
	return sum
}

// parallelFor calls body on sumChunks consecutive ranges covering [0, n)
// concurrently, or on the whole range at once when n is below min.
func parallelFor(n, min int, body func(chunk, lo, hi int)) {
	if n < min {
		body(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < sumChunks; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body(i, i*n/sumChunks, (i+1)*n/sumChunks)
		}()
	}
	wg.Wait()
}
