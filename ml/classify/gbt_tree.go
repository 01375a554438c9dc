package classify

import "math"

// treeNode is one node of a fitted regression tree. Leaves have Left < 0.
// Value is the shrunken Newton step the node would predict as a leaf; it is
// kept for inner nodes too so contributions can be read off a path.
type treeNode struct {
	Feature     int32
	Left, Right int32
	Threshold   float64 // x <= Threshold goes left
	Bin         uint8   // the same cut on bin codes: code <= Bin goes left
	MissingLeft bool    // where NaN goes
	Value       float64
	Gain        float64
}

// tree stores its nodes so that every Right == Left+1, which lets the coded
// traversal pick a child without a branch.
type tree struct{ nodes []treeNode }

// leaf returns the index of the leaf reached by row x.
func (t *tree) leaf(x []float64) int32 {
	k := int32(0)
	for {
		n := &t.nodes[k]
		if n.Left < 0 {
			return k
		}
		k = n.child(x[n.Feature])
	}
}

func (n *treeNode) child(v float64) int32 {
	if math.IsNaN(v) {
		if n.MissingLeft {
			return n.Left
		}
		return n.Right
	}
	if v <= n.Threshold {
		return n.Left
	}
	return n.Right
}

// addContributions credits each split on x's path with the change in node
// value it causes (the Saabas decomposition), so the root value plus the
// credits equals the leaf value.
func (t *tree) addContributions(x, out []float64) {
	k := int32(0)
	for {
		n := &t.nodes[k]
		if n.Left < 0 {
			return
		}
		next := n.child(x[n.Feature])
		out[n.Feature] += t.nodes[next].Value - n.Value
		k = next
	}
}

// leafCoded is leaf for a row of bin codes; it is the hot loop of batch
// scoring, so the child is chosen arithmetically.
func (t *tree) leafCoded(codes []uint8) int32 {
	k := int32(0)
	for {
		n := &t.nodes[k]
		if n.Left < 0 {
			return k
		}
		c := codes[n.Feature]
		// NaN's code exceeds every cut, so it goes right unless flipped.
		k = n.Left + (b2i(c > n.Bin) ^ (b2i(c == missingBin) & b2i(n.MissingLeft)))
	}
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
