package connector

import (
	"fmt"
	"sort"
	"sync"
)

// Registry maps platform names to connectors.
type Registry struct {
	mu sync.RWMutex
	m  map[string]Connector
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{m: map[string]Connector{}} }

// Register adds c under its Spec's platform name; registering a name twice
// is an error.
func (r *Registry) Register(c Connector) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := c.Spec().Platform
	if _, dup := r.m[name]; dup {
		return fmt.Errorf("connector %q registered twice", name)
	}
	r.m[name] = c
	return nil
}

// Get returns the connector of a platform.
func (r *Registry) Get(platform string) (Connector, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.m[platform]
	return c, ok
}

// Platforms lists registered platform names, sorted.
func (r *Registry) Platforms() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.m))
	for k := range r.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
