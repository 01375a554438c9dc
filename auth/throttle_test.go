package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/auth"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/limit/limittest"
)

func newThrottle(t *testing.T) (*auth.Throttle, *limittest.FakeClock) {
	t.Helper()
	c := limittest.NewFakeClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	return auth.NewThrottle(limit.NewMemory(c.Now), auth.ThrottleConfig{}), c
}

func fail(t *testing.T, th *auth.Throttle, n int, email, ip string) {
	t.Helper()
	for range n {
		if err := th.Failure(context.Background(), email, ip); err != nil {
			t.Fatal(err)
		}
	}
}

func check(t *testing.T, th *auth.Throttle, email, ip string) (time.Duration, bool) {
	t.Helper()
	wait, err := th.Check(context.Background(), email, ip)
	if err != nil && !errors.Is(err, omnify.ErrTooMany) {
		t.Fatalf("Check: %v", err)
	}
	if (err != nil) != (wait > 0) {
		t.Fatalf("Check = %v, %v: blocked without a wait or the reverse", wait, err)
	}
	return wait, err == nil
}

func TestThrottlePerAccount(t *testing.T) {
	th, c := newThrottle(t)
	fail(t, th, 4, "ana@example.com", "198.51.100.1")
	if _, ok := check(t, th, "ana@example.com", "198.51.100.1"); !ok {
		t.Fatal("blocked after 4 failures, want 5 allowed")
	}
	fail(t, th, 1, "ana@example.com", "198.51.100.2")
	wait, ok := check(t, th, "Ana@Example.com", "203.0.113.7")
	if ok || wait <= 0 || wait > 3*time.Minute {
		t.Fatalf("after 5 failures from any IP: wait %v ok %v; want blocked ≤ 3m", wait, ok)
	}
	if _, ok := check(t, th, "bo@example.com", "198.51.100.1"); !ok {
		t.Error("another account blocked by ana's failures")
	}
	c.Advance(wait)
	if _, ok := check(t, th, "ana@example.com", "198.51.100.1"); !ok {
		t.Error("still blocked after waiting the returned time")
	}
}

func TestThrottleSuccessClearsAccountOnly(t *testing.T) {
	th, _ := newThrottle(t)
	for i := range 19 {
		fail(t, th, 1, string(rune('a'+i))+"@example.com", "198.51.100.9")
	}
	fail(t, th, 1, "ana@example.com", "198.51.100.9")
	if err := th.Success(context.Background(), "ana@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, ok := check(t, th, "zed@example.com", "198.51.100.9"); ok {
		t.Error("IP with 20 failures allowed after one account's success")
	}
	if _, ok := check(t, th, "zed@example.com", "198.51.100.10"); !ok {
		t.Error("a different IP is blocked")
	}
	fail(t, th, 4, "bo@example.com", "192.0.2.1")
	if err := th.Success(context.Background(), "bo@example.com"); err != nil {
		t.Fatal(err)
	}
	fail(t, th, 4, "bo@example.com", "192.0.2.2")
	if _, ok := check(t, th, "bo@example.com", "192.0.2.3"); !ok {
		t.Error("success did not clear the account's failures")
	}
}

func TestThrottleIPv6SharesPrefix(t *testing.T) {
	th, c := newThrottle(t)
	for i := range 20 {
		fail(t, th, 1, string(rune('a'+i))+"@example.com", "2001:db8:7:7::"+string(rune('a'+i%6)))
	}
	if _, ok := check(t, th, "new@example.com", "2001:db8:7:7:ffff::1"); ok {
		t.Error("another address in the same /64 not blocked")
	}
	if _, ok := check(t, th, "new@example.com", "2001:db8:7:8::1"); !ok {
		t.Error("neighbouring /64 blocked")
	}
	c.Advance(15 * time.Minute)
	if _, ok := check(t, th, "new@example.com", "2001:db8:7:7::1"); !ok {
		t.Error("still blocked 15 minutes later")
	}
}

type downLimiter struct{}

var errLimiterDown = errors.New("limiter down")

func (downLimiter) Allow(context.Context, string, limit.Rate) (limit.Decision, error) {
	return limit.Decision{}, errLimiterDown
}
func (downLimiter) Peek(context.Context, string, limit.Rate) (limit.Decision, error) {
	return limit.Decision{}, errLimiterDown
}
func (downLimiter) Reset(context.Context, string) error { return errLimiterDown }

func TestThrottleLimiterDown(t *testing.T) {
	th := auth.NewThrottle(downLimiter{}, auth.ThrottleConfig{})
	ctx := context.Background()
	if _, err := th.Check(ctx, "ana@example.com", "192.0.2.1"); !errors.Is(err, errLimiterDown) || errors.Is(err, omnify.ErrTooMany) {
		t.Errorf("Check with limiter down: %v, want the limiter's error, not ErrTooMany", err)
	}
	if err := th.Failure(ctx, "ana@example.com", "192.0.2.1"); !errors.Is(err, errLimiterDown) {
		t.Errorf("Failure: %v", err)
	}
	if err := th.Success(ctx, "ana@example.com"); !errors.Is(err, errLimiterDown) {
		t.Errorf("Success: %v", err)
	}
}
