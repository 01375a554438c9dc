// Package limit owns OmniFy's rate limiting: the Limiter interface every
// backend implements (GCRA semantics, so an in-process table and a shared
// Redis one decide alike), the in-process Memory backend, and the key
// helpers the HTTP layer and login throttling share. Backends must pass the
// conformance suite in limit/limittest.
package limit

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Rate allows Limit requests per Period, with up to Burst of them at once.
// Burst ≤ 0 means Burst = Limit.
type Rate struct {
	Limit  int
	Period time.Duration
	Burst  int
}

// PerMinute returns a rate of n requests a minute with a burst of n.
func PerMinute(n int) Rate { return Rate{Limit: n, Period: time.Minute, Burst: n} }

// PerSecond returns a rate of n requests a second with a burst of n.
func PerSecond(n int) Rate { return Rate{Limit: n, Period: time.Second, Burst: n} }

// ErrBadRate is returned for a rate that allows nothing.
var ErrBadRate = errors.New("limit: rate must have positive limit and period")

// Validate reports whether r can be enforced.
func (r Rate) Validate() error {
	if r.Limit <= 0 || r.Period <= 0 || r.Period/time.Duration(r.Limit) <= 0 {
		return fmt.Errorf("%w: %d per %s", ErrBadRate, r.Limit, r.Period)
	}
	return nil
}

// burst returns the effective burst.
func (r Rate) burst() int {
	if r.Burst <= 0 {
		return r.Limit
	}
	return r.Burst
}

// interval is the time one request's worth of budget takes to come back.
func (r Rate) interval() time.Duration { return r.Period / time.Duration(r.Limit) }

// Decision is a limiter's answer for one request.
type Decision struct {
	Allowed bool
	// Limit is the rate's Limit, for RateLimit-Limit headers.
	Limit int
	// Remaining is how many more requests would be allowed right now.
	Remaining int
	// RetryAfter is how long to wait before the next request can be
	// allowed; zero when this one was allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the key's whole burst is available again.
	ResetAfter time.Duration
}

// Limiter decides whether a request under key may proceed at rate r, using
// the generic cell rate algorithm: each key remembers one theoretical arrival
// time, so state is a single timestamp per key.
//
// Errors: an invalid rate is ErrBadRate; a cancelled context returns its
// error; backends may return errors when their store is unreachable, and
// callers decide whether to fail open.
type Limiter interface {
	// Allow spends one request of key's budget when there is one.
	Allow(ctx context.Context, key string, r Rate) (Decision, error)
	// Peek reports what Allow would decide now, spending nothing.
	Peek(ctx context.Context, key string, r Rate) (Decision, error)
	// Reset forgets key, restoring its full burst.
	Reset(ctx context.Context, key string) error
}

// IPKey returns the part of an IP address that identifies one client for
// limiting: the address itself for IPv4, and the /64 prefix for IPv6, since
// a single IPv6 subscriber usually controls a whole /64. It returns ip
// unchanged when it does not parse.
func IPKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	p, err := addr.WithZone("").Prefix(64)
	if err != nil {
		return addr.String()
	}
	return p.String()
}
