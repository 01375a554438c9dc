package manager

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/omnify-cloud/omnify/limit"
)

// maxPaceWaits bounds how often one request waits for the steady rate, so a
// misconfigured rate cannot hold a request forever.
const maxPaceWaits = 100

// paced returns a copy of client whose requests wait for the steady rate.
func (m *Managed) paced(client *http.Client, key string) *http.Client {
	cp := *client
	base := cp.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = &pacedTransport{base: base, m: m, key: key}
	return &cp
}

type pacedTransport struct {
	base http.RoundTripper
	m    *Managed
	key  string
}

// RoundTrip waits for the key's budget, then sends. A limiter that fails
// (its store unreachable) lets the request through: the vendor's own
// throttling still protects the account.
func (p *pacedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for range maxPaceWaits {
		d, err := p.m.opts.Limiter.Allow(ctx, p.key, p.m.opts.Rate)
		if errors.Is(err, limit.ErrBadRate) {
			return nil, fmt.Errorf("pace %s: %w", p.key, err)
		}
		if err != nil || d.Allowed {
			break
		}
		if err := p.m.opts.Sleep(ctx, d.RetryAfter); err != nil {
			return nil, fmt.Errorf("pace %s: %w", p.key, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return p.base.RoundTrip(req)
}
