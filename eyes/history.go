package eyes

import (
	"slices"
	"sync"
	"time"
)

// histories holds every customer's transactions as day numbers and amounts
// in one flat array: orders on the same day merge into one transaction, the
// usual convention of customer-base analysis. Customer i owns
// day[off[i]:off[i+1]], sorted ascending.
type histories struct {
	off []int
	day []int32
	amt []float64
}

const secondsPerDay = 86400

func dayOf(t time.Time) int32 {
	s := t.Unix()
	d := s / secondsPerDay
	if s < 0 && s%secondsPerDay != 0 {
		d--
	}
	return int32(d)
}

func buildHistories(cs []Customer, asOfDay int32, workers int) *histories {
	h := &histories{off: make([]int, len(cs)+1)}
	for i := range cs {
		h.off[i+1] = h.off[i] + len(cs[i].Orders)
	}
	h.day = make([]int32, h.off[len(cs)])
	h.amt = make([]float64, h.off[len(cs)])
	lens := make([]int, len(cs))
	parallel(len(cs), workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			lens[i] = h.fill(i, cs[i].Orders, asOfDay)
		}
	})
	h.compact(lens)
	return h
}

type dayAmt struct {
	d int32
	a float64
}

// fill writes customer i's merged transactions at its offset and returns
// how many there are.
func (h *histories) fill(i int, orders []Order, asOfDay int32) int {
	buf := make([]dayAmt, 0, len(orders))
	for _, o := range orders {
		if d := dayOf(o.Time); d <= asOfDay {
			buf = append(buf, dayAmt{d, o.Amount})
		}
	}
	slices.SortFunc(buf, func(x, y dayAmt) int { return int(x.d) - int(y.d) })
	n := 0
	base := h.off[i]
	for _, t := range buf {
		if n > 0 && h.day[base+n-1] == t.d {
			h.amt[base+n-1] += t.a
			continue
		}
		h.day[base+n], h.amt[base+n] = t.d, t.a
		n++
	}
	return n
}

func (h *histories) compact(lens []int) {
	w := 0
	for i, n := range lens {
		src := h.off[i]
		copy(h.day[w:], h.day[src:src+n])
		copy(h.amt[w:], h.amt[src:src+n])
		h.off[i] = w
		w += n
	}
	h.off[len(lens)] = w
	h.day = h.day[:w:w]
	h.amt = h.amt[:w:w]
}

func (h *histories) n() int { return len(h.off) - 1 }

// upTo returns customer i's transactions on or before day c.
func (h *histories) upTo(i int, c int32) ([]int32, []float64) {
	d := h.day[h.off[i]:h.off[i+1]]
	k, _ := slices.BinarySearch(d, c+1)
	return d[:k], h.amt[h.off[i] : h.off[i]+k]
}

// boughtIn reports whether customer i has a transaction in (from, to].
func (h *histories) boughtIn(i int, from, to int32) bool {
	d := h.day[h.off[i]:h.off[i+1]]
	k, _ := slices.BinarySearch(d, from+1)
	return k < len(d) && d[k] <= to
}

// parallel splits [0,n) into contiguous chunks run on up to workers
// goroutines.
func parallel(n, workers int, f func(lo, hi int)) {
	if workers < 1 {
		workers = 1
	}
	if n < 2048 || workers == 1 {
		f(0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}
