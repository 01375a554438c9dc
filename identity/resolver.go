package identity

// Merge reasons recorded on links.
const (
	ReasonEmail      = "same_email"
	ReasonPhone      = "same_phone"
	ReasonPlatformID = "same_platform_id"
	ReasonSplit      = "kept_together_by_split"
)

// Edge is a merge the resolver made: node A joined node B's customer
// because they share a key.
type Edge struct {
	A, B   int
	Reason string
}

// Resolver groups nodes (source identities) that share an email, a phone,
// a platform ID or a no-merge group with a union-find, never joining two
// different no-merge groups. Nodes are numbered in the order they are added; results depend
// only on that order.
type Resolver struct {
	parent []int32
	rank   []uint8
	group  []int32 // no-merge group of each root; 0 for none
	keys   map[string]int32
	groups map[string]int32
	edges  []Edge
}

// NewResolver returns a resolver sized for about n nodes.
func NewResolver(n int) *Resolver {
	return &Resolver{
		parent: make([]int32, 0, n), rank: make([]uint8, 0, n), group: make([]int32, 0, n),
		keys: make(map[string]int32, 2*n), groups: map[string]int32{},
	}
}

// Add adds a node with its normalised keys (empty ones are ignored) and
// no-merge group, and returns its number.
func (r *Resolver) Add(email, phone, platformID, group string) int {
	i := int32(len(r.parent))
	r.parent = append(r.parent, i)
	r.rank = append(r.rank, 0)
	r.group = append(r.group, r.groupID(group))
	r.link(i, "e\x00"+email, email != "", ReasonEmail)
	r.link(i, "p\x00"+phone, phone != "", ReasonPhone)
	r.link(i, "x\x00"+platformID, platformID != "", ReasonPlatformID)
	// A no-merge group is a cluster a person drew: it also holds together.
	r.link(i, "g\x00"+group, group != "", ReasonSplit)
	return int(i)
}

func (r *Resolver) groupID(g string) int32 {
	if g == "" {
		return 0
	}
	id, ok := r.groups[g]
	if !ok {
		id = int32(len(r.groups) + 1)
		r.groups[g] = id
	}
	return id
}

func (r *Resolver) link(i int32, key string, ok bool, reason string) {
	if !ok {
		return
	}
	j, seen := r.keys[key]
	if !seen {
		r.keys[key] = i
		return
	}
	if r.union(i, j) {
		r.edges = append(r.edges, Edge{A: int(i), B: int(j), Reason: reason})
	}
}

// Find returns the representative of node i's customer.
func (r *Resolver) Find(i int) int {
	x := int32(i)
	for r.parent[x] != x {
		r.parent[x] = r.parent[r.parent[x]]
		x = r.parent[x]
	}
	return int(x)
}

// union joins the sets of a and b unless they belong to different no-merge
// groups; it reports whether they are joined now and were not before.
func (r *Resolver) union(a, b int32) bool {
	ra, rb := int32(r.Find(int(a))), int32(r.Find(int(b)))
	if ra == rb {
		return false
	}
	ga, gb := r.group[ra], r.group[rb]
	if ga != 0 && gb != 0 && ga != gb {
		return false
	}
	if r.rank[ra] < r.rank[rb] {
		ra, rb = rb, ra
	}
	r.parent[rb] = ra
	if r.rank[ra] == r.rank[rb] {
		r.rank[ra]++
	}
	r.group[ra] = max(ga, gb)
	return true
}

// Len is the number of nodes.
func (r *Resolver) Len() int { return len(r.parent) }

// Edges lists the merges made, in the order they were made.
func (r *Resolver) Edges() []Edge { return r.edges }

// Components returns each customer's nodes, ordered by their first node;
// nodes within a component are in the order they were added.
func (r *Resolver) Components() [][]int {
	index := make(map[int]int, len(r.parent)/2)
	var out [][]int
	for i := range r.parent {
		root := r.Find(i)
		c, ok := index[root]
		if !ok {
			c = len(out)
			index[root] = c
			out = append(out, nil)
		}
		out[c] = append(out[c], i)
	}
	return out
}

// Count is the number of distinct customers.
func (r *Resolver) Count() int {
	n := 0
	for i := range r.parent {
		if r.Find(i) == i {
			n++
		}
	}
	return n
}
