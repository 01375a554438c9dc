package classify

// parallelHistRows is the node size below which goroutines cost more than
// they save.
const parallelHistRows = 4096

// buildHist fills n.hist from the rows in n's range and sets n.sum.
func (gr *grower) buildHist(n *growNode) {
	n.hist = gr.getHist()
	ids := gr.idx[n.start:n.end]
	og, oh := gr.g, gr.h // the root holds every row in order
	if len(ids) < gr.rows {
		og, oh = gr.og[:len(ids)], gr.oh[:len(ids)]
		for k, i := range ids {
			og[k], oh[k] = gr.g[i], gr.h[i]
		}
	}
	workers := gr.cfg.Workers
	if len(ids) < parallelHistRows {
		workers = 1
	}
	forEach(gr.feats, workers, func(j int) {
		col := gr.bins[j*gr.rows : (j+1)*gr.rows]
		h := n.hist[j*histBins : (j+1)*histBins]
		for k, i := range ids {
			s := &h[col[i]]
			s.g += og[k]
			s.h += oh[k]
			s.n++
		}
	})
	n.sum = binStat{}
	for _, s := range n.hist[:histBins] {
		n.sum.add(s)
	}
}

// bestSplit scans every feature's histogram for the split with the largest
// loss reduction that leaves both children big enough.
func (gr *grower) bestSplit(n *growNode) splitInfo {
	per := make([]splitInfo, gr.feats)
	workers := gr.cfg.Workers
	if n.end-n.start < parallelHistRows {
		workers = 1
	}
	forEach(gr.feats, workers, func(j int) {
		per[j] = gr.bestSplitFeature(n, j)
	})
	var best splitInfo
	for _, s := range per {
		if s.ok && (!best.ok || s.gain > best.gain) {
			best = s
		}
	}
	return best
}

// bestSplitFeature tries each cut of feature j with missing values sent
// right, then (if there are any) sent left.
func (gr *grower) bestSplitFeature(n *growNode, j int) splitInfo {
	h := n.hist[j*histBins : (j+1)*histBins]
	miss := h[missingBin]
	nb := gr.mapper.numBins(j)
	parent := score(n.sum, gr.cfg.L2)
	var best splitInfo
	for _, missLeft := range []bool{false, true} {
		if missLeft && miss.n == 0 {
			break
		}
		var left binStat
		if missLeft {
			left = miss
		}
		last := nb - 2
		if miss.n > 0 && !missLeft {
			last = nb - 1 // also try "all values left, missing right"
		}
		for b := 0; b <= last; b++ {
			left.add(h[b])
			right := n.sum.minus(left)
			if !gr.admissible(left, right) {
				continue
			}
			gain := score(left, gr.cfg.L2) + score(right, gr.cfg.L2) - parent
			if gain > 0 && (!best.ok || gain > best.gain) {
				best = splitInfo{ok: true, feature: j, bin: b, missingLeft: missLeft, gain: gain, left: left}
			}
		}
	}
	if best.ok && miss.n == 0 {
		// No missing values seen here: send future NaN to the larger side.
		best.missingLeft = best.left.n >= n.sum.n-best.left.n
	}
	return best
}

func (gr *grower) admissible(left, right binStat) bool {
	m := gr.cfg.MinSamplesLeaf
	return left.n >= m && right.n >= m && left.h >= minHessian && right.h >= minHessian
}

// score is the loss reduction a node's Newton step buys, G²/(H+λ).
func score(s binStat, l2 float64) float64 { return s.g * s.g / (s.h + l2) }
