package classify

// goesLeft is the routing rule of a split on bin codes.
func goesLeft(code uint8, bin int, missingLeft bool) bool {
	if code == missingBin {
		return missingLeft
	}
	return int(code) <= bin
}

// partition reorders idx[start:end] stably so rows going left come first and
// returns the boundary. Large nodes are split in chunks across workers: each
// chunk counts its left rows, prefix sums give every chunk its output slots.
func (gr *grower) partition(start, end, feat, bin int, missingLeft bool) int {
	col := gr.bins[feat*gr.rows : (feat+1)*gr.rows]
	ids := gr.idx[start:end]
	if len(ids) < parallelHistRows*4 || workerCount(gr.cfg.Workers) == 1 {
		return start + partitionSerial(ids, gr.tmp, col, bin, missingLeft)
	}
	lefts := make([]int, numChunks(len(ids)))
	forChunks(len(ids), gr.cfg.Workers, func(c, lo, hi int) {
		for _, i := range ids[lo:hi] {
			if goesLeft(col[i], bin, missingLeft) {
				lefts[c]++
			}
		}
	})
	total := 0
	for _, l := range lefts {
		total += l
	}
	out := gr.tmp[:len(ids)]
	forChunks(len(ids), gr.cfg.Workers, func(c, lo, hi int) {
		l, r := 0, total
		for k := 0; k < c; k++ {
			l += lefts[k]
			r += min((k+1)*chunkRows, len(ids)) - k*chunkRows - lefts[k]
		}
		for _, i := range ids[lo:hi] {
			if goesLeft(col[i], bin, missingLeft) {
				out[l] = i
				l++
			} else {
				out[r] = i
				r++
			}
		}
	})
	copy(ids, out)
	return start + total
}

// partitionSerial is partition for one goroutine; tmp holds the right rows.
func partitionSerial(ids, tmp []int32, col []uint8, bin int, missingLeft bool) int {
	l, r := 0, 0
	for _, i := range ids {
		if goesLeft(col[i], bin, missingLeft) {
			ids[l] = i
			l++
		} else {
			tmp[r] = i
			r++
		}
	}
	copy(ids[l:], tmp[:r])
	return l
}
