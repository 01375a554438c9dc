package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/limit"
)

// ThrottleConfig sets how many failed logins are tolerated. Zero rates take
// the defaults: 5 failures per 15 minutes per account, 20 per IP.
type ThrottleConfig struct {
	PerAccount limit.Rate
	PerIP      limit.Rate
}

// Default login-failure budgets.
var (
	DefaultAccountFailures = limit.Rate{Limit: 5, Period: 15 * time.Minute, Burst: 5}
	DefaultIPFailures      = limit.Rate{Limit: 20, Period: 15 * time.Minute, Burst: 20}
)

// Throttle slows password guessing. Only failures spend budget, per account
// and per client IP (IPv6 per /64). A success clears the account's budget
// but not the IP's, so one valid account cannot launder guesses at others.
type Throttle struct {
	l   limit.Limiter
	cfg ThrottleConfig
}

// NewThrottle returns a Throttle keeping its counts in l.
func NewThrottle(l limit.Limiter, cfg ThrottleConfig) *Throttle {
	if cfg.PerAccount.Limit == 0 {
		cfg.PerAccount = DefaultAccountFailures
	}
	if cfg.PerIP.Limit == 0 {
		cfg.PerIP = DefaultIPFailures
	}
	return &Throttle{l: l, cfg: cfg}
}

// Check reports whether a login for email from ip may be attempted now.
// When either budget is spent it returns how long to wait and an error
// wrapping omnify.ErrTooMany. A limiter failure is returned as is: the
// caller should refuse the login rather than let guessing run unchecked.
func (t *Throttle) Check(ctx context.Context, email, ip string) (time.Duration, error) {
	acct, err := t.l.Peek(ctx, accountKey(email), t.cfg.PerAccount)
	if err != nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	byIP, err := t.l.Peek(ctx, ipKey(ip), t.cfg.PerIP)
	if err != nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	if acct.Allowed && byIP.Allowed {
		return 0, nil
	}
	wait := max(acct.RetryAfter, byIP.RetryAfter)
	return wait, fmt.Errorf("login throttle: retry in %s: %w", wait.Round(time.Second), omnify.ErrTooMany)
}

// Failure records a failed login for email from ip.
func (t *Throttle) Failure(ctx context.Context, email, ip string) error {
	if _, err := t.l.Allow(ctx, accountKey(email), t.cfg.PerAccount); err != nil {
		return fmt.Errorf("login throttle: record failure: %w", err)
	}
	if _, err := t.l.Allow(ctx, ipKey(ip), t.cfg.PerIP); err != nil {
		return fmt.Errorf("login throttle: record failure: %w", err)
	}
	return nil
}

// Success clears email's failures.
func (t *Throttle) Success(ctx context.Context, email string) error {
	if err := t.l.Reset(ctx, accountKey(email)); err != nil {
		return fmt.Errorf("login throttle: clear: %w", err)
	}
	return nil
}

// accountKey hashes the address so limiter backends never hold e-mails.
func accountKey(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "login:acct:" + hex.EncodeToString(sum[:16])
}

func ipKey(ip string) string { return "login:ip:" + limit.IPKey(ip) }
