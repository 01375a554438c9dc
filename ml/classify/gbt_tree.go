package classify

import "math"

// treeNode is one node of a fitted regression tree. Leaves have Left < 0.
// Value is the shrunken Newton step the node would predict as a leaf; it is
// kept for inner nodes too so contributions can be read off a path.
type treeNode struct {
	Feature     int32
	Left, Right int32
	Threshold   float64 // x <= Threshold goes left
	MissingLeft bool    // where NaN goes
	Value       float64
	Gain        float64
}

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
