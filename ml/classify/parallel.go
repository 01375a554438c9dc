package classify

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// chunkRows is the fixed unit of parallel work over rows. Keeping it
// independent of the worker count makes per-chunk partial sums, and so the
// fitted model, identical on any machine.
const chunkRows = 8192

func workerCount(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// forChunks calls fn for every [lo, hi) chunk of n rows, with chunk index c,
// on up to workers goroutines.
func forChunks(n, workers int, fn func(c, lo, hi int)) {
	chunks := numChunks(n)
	forEach(chunks, workers, func(c int) {
		fn(c, c*chunkRows, min((c+1)*chunkRows, n))
	})
}

func numChunks(n int) int { return (n + chunkRows - 1) / chunkRows }

// forEach runs fn(0..n-1) on up to workers goroutines.
func forEach(n, workers int, fn func(i int)) {
	workers = min(workerCount(workers), n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
