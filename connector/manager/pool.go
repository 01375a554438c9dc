package manager

import (
	"sync"

	"github.com/omnify-cloud/omnify/connector"
)

// Pool keeps one Managed per platform, so every caller that wraps a
// platform's connector shares its circuit breakers, vendor waits, Check
// cache and health. Wrapping anew on every use would forget them all.
type Pool struct {
	opts func(platform string) Options

	mu sync.Mutex
	m  map[string]*Managed
}

// NewPool returns a pool whose managers take their options from opts
// (nil: defaults for every platform).
func NewPool(opts func(platform string) Options) *Pool {
	if opts == nil {
		opts = func(string) Options { return Options{} }
	}
	return &Pool{opts: opts, m: map[string]*Managed{}}
}

// Wrap returns the platform's manager, wrapping c on first use. A platform
// has one connector (the Registry refuses a second), so later calls get the
// manager made for the first. Its signature fits syncer.Config.Wrap.
func (p *Pool) Wrap(c connector.Connector) connector.Connector {
	return p.Managed(c)
}

// Managed is Wrap with the concrete type.
func (p *Pool) Managed(c connector.Connector) *Managed {
	platform := c.Spec().Platform
	p.mu.Lock()
	defer p.mu.Unlock()
	if m := p.m[platform]; m != nil {
		return m
	}
	m := Wrap(c, p.opts(platform))
	p.m[platform] = m
	return m
}

// Health returns a connection's health on a platform; Unknown when the
// platform's manager has not called it.
func (p *Pool) Health(platform, connID string) Health {
	p.mu.Lock()
	m := p.m[platform]
	p.mu.Unlock()
	if m == nil {
		return Health{State: Unknown}
	}
	return m.Health(connID)
}
