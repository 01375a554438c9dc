package classify

// binStat accumulates gradient, hessian and count for one histogram bin.
type binStat struct {
	g, h float64
	n    int
}

func (a *binStat) add(b binStat) { a.g += b.g; a.h += b.h; a.n += b.n }
func (a binStat) minus(b binStat) binStat {
	return binStat{a.g - b.g, a.h - b.h, a.n - b.n}
}

// histogram holds histBins slots per feature.
type histogram []binStat

// minHessian keeps leaves from resting on a handful of near-certain samples,
// scikit-learn's min_hessian_to_split.
const minHessian = 1e-3

// splitInfo is the best split found for a node.
type splitInfo struct {
	ok          bool
	feature     int
	bin         int
	missingLeft bool
	gain        float64
	left        binStat
}

// growNode is a leaf of the tree being grown: a contiguous range of the
// sample index array plus its histogram.
type growNode struct {
	id         int32
	start, end int
	depth      int
	sum        binStat
	hist       histogram
	split      splitInfo
}

// grower builds one tree at a time; its buffers are reused across trees.
type grower struct {
	cfg     GBTConfig
	bins    []uint8 // column-major codes, see binMapper.transform
	mapper  *binMapper
	rows    int
	feats   int
	g, h    []float64
	idx     []int32
	tmp     []int32
	og, oh  []float64 // gradients gathered in node order
	free    []histogram
	tree    *tree
	gains   []float64 // per feature, accumulated across trees
	leaves  []*growNode
	pending []*growNode
}

func newGrower(cfg GBTConfig, bins []uint8, bm *binMapper, rows, feats int) *grower {
	return &grower{
		cfg: cfg, bins: bins, mapper: bm, rows: rows, feats: feats,
		g: make([]float64, rows), h: make([]float64, rows),
		idx: make([]int32, rows), tmp: make([]int32, rows),
		og: make([]float64, rows), oh: make([]float64, rows),
		gains: make([]float64, feats),
	}
}

func (gr *grower) getHist() histogram {
	if n := len(gr.free); n > 0 {
		h := gr.free[n-1]
		gr.free = gr.free[:n-1]
		clear(h)
		return h
	}
	return make(histogram, gr.feats*histBins)
}

func (gr *grower) putHist(h histogram) {
	if h != nil {
		gr.free = append(gr.free, h)
	}
}

// grow fits one tree to the current gradients, best gain first, and
// returns it together with the final leaves (whose index ranges tell which
// training rows each leaf holds).
func (gr *grower) grow() (*tree, []*growNode) {
	for i := range gr.idx {
		gr.idx[i] = int32(i)
	}
	gr.tree = &tree{}
	root := gr.newNode(0, gr.rows, 0)
	gr.buildHist(root)
	gr.leaves, gr.pending = gr.leaves[:0], gr.pending[:0]
	gr.consider(root)
	for len(gr.leaves)+len(gr.pending) < gr.cfg.MaxLeafNodes && len(gr.pending) > 0 {
		gr.splitNode(gr.popBest())
	}
	for _, n := range gr.pending {
		gr.putHist(n.hist)
		n.hist = nil
		gr.leaves = append(gr.leaves, n)
	}
	return gr.tree, gr.leaves
}

// newNode registers a node in the tree with its leaf value.
func (gr *grower) newNode(start, end, depth int) *growNode {
	n := &growNode{id: int32(len(gr.tree.nodes)), start: start, end: end, depth: depth}
	gr.tree.nodes = append(gr.tree.nodes, treeNode{Left: -1, Right: -1})
	return n
}

func (gr *grower) setValue(n *growNode) {
	gr.tree.nodes[n.id].Value = -gr.cfg.LearningRate * n.sum.g / (n.sum.h + gr.cfg.L2)
}

// consider finds a node's best split and queues it, or retires it as a leaf.
func (gr *grower) consider(n *growNode) {
	gr.setValue(n)
	canSplit := n.end-n.start >= 2*gr.cfg.MinSamplesLeaf &&
		(gr.cfg.MaxDepth == 0 || n.depth < gr.cfg.MaxDepth)
	if canSplit {
		n.split = gr.bestSplit(n)
	}
	if !n.split.ok {
		gr.putHist(n.hist)
		n.hist = nil
		gr.leaves = append(gr.leaves, n)
		return
	}
	gr.pending = append(gr.pending, n)
}

// popBest removes the pending leaf with the largest gain (lowest id on ties).
func (gr *grower) popBest() *growNode {
	best := 0
	for k, n := range gr.pending {
		if n.split.gain > gr.pending[best].split.gain {
			best = k
		}
	}
	n := gr.pending[best]
	gr.pending = append(gr.pending[:best], gr.pending[best+1:]...)
	return n
}

// splitNode partitions a node's rows, builds the smaller child's histogram
// and derives the larger one by subtraction from the parent.
func (gr *grower) splitNode(n *growNode) {
	s := n.split
	mid := gr.partition(n.start, n.end, s.feature, s.bin, s.missingLeft)
	left := gr.newNode(n.start, mid, n.depth+1)
	right := gr.newNode(mid, n.end, n.depth+1)
	left.sum, right.sum = s.left, n.sum.minus(s.left)
	gr.record(n, left, right)
	small, large := left, right
	if small.end-small.start > large.end-large.start {
		small, large = right, left
	}
	gr.buildHist(small)
	large.hist = n.hist
	for k := range large.hist {
		large.hist[k] = large.hist[k].minus(small.hist[k])
	}
	n.hist = nil
	gr.consider(left)
	gr.consider(right)
}

// record writes the split into the tree and credits its gain.
func (gr *grower) record(n, left, right *growNode) {
	s := n.split
	tn := &gr.tree.nodes[n.id]
	tn.Feature = int32(s.feature)
	tn.Threshold = gr.mapper.threshold(s.feature, s.bin)
	tn.Bin = uint8(s.bin)
	tn.MissingLeft = s.missingLeft
	tn.Left, tn.Right = left.id, right.id
	tn.Gain = s.gain
	gr.gains[s.feature] += s.gain
}
