package cluster

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// blockSize is the unit of parallel work. Reductions are computed per block
// and summed in block order, so floating-point results do not depend on how
// many workers ran.
const blockSize = 4096

func workerCount(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

func numBlocks(n, size int) int { return (n + size - 1) / size }

// forBlocks calls fn(b, lo, hi) for every block [lo,hi) of n items, spread
// over workers goroutines.
func forBlocks(n, size, workers int, fn func(b, lo, hi int)) {
	nb := numBlocks(n, size)
	w := min(workerCount(workers), nb)
	if w <= 1 {
		for b := 0; b < nb; b++ {
			fn(b, b*size, min(n, (b+1)*size))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Go(func() {
			for {
				b := int(next.Add(1) - 1)
				if b >= nb {
					return
				}
				fn(b, b*size, min(n, (b+1)*size))
			}
		})
	}
	wg.Wait()
}

// newRand builds the package's seeded generator.
func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
}

// sampleIndexes draws m distinct indexes from 0..n-1 (sorted), seeded.
func sampleIndexes(n, m int, rng *rand.Rand) []int {
	if m >= n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	// Floyd's algorithm: m draws, no n-sized permutation.
	chosen := make(map[int]struct{}, m)
	out := make([]int, 0, m)
	for j := n - m; j < n; j++ {
		t := rng.IntN(j + 1)
		if _, dup := chosen[t]; dup {
			t = j
		}
		chosen[t] = struct{}{}
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// sqDist is the squared Euclidean distance between equal-length vectors.
func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		d0 := a[i] - b[i]
		d1 := a[i+1] - b[i+1]
		d2 := a[i+2] - b[i+2]
		d3 := a[i+3] - b[i+3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(a); i++ {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}
