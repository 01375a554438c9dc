package manager

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/omnify-cloud/omnify/connector"
)

// attemptFunc makes one attempt; progressed says a Read saved a checkpoint
// before failing.
type attemptFunc func(ctx context.Context) (progressed bool, err error)

// progressed marks a failed attempt that moved the sync forward: the
// breaker counts it as a success, so a long read that meets occasional
// throttling never opens the circuit.
type progressed struct{ err error }

func (p *progressed) Error() string { return p.err.Error() }
func (p *progressed) Unwrap() error { return p.err }

// do runs attempts until one succeeds, fails for good, or the attempt and
// waiting budgets run out.
func (m *Managed) do(ctx context.Context, connID, op string, attempt attemptFunc) error {
	st := m.conn(connID)
	var spent time.Duration
	for n := 1; ; n++ {
		if err := m.gate(ctx, st, m.opts.MaxWait-spent); err != nil {
			return err
		}
		moved, err := m.execute(ctx, st, attempt)
		if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
			return m.openError(st)
		}
		if ctx.Err() != nil {
			m.metrics.count(m.spec.Platform, op, kindCanceled.String())
			return err
		}
		k := classify(err)
		m.metrics.count(m.spec.Platform, op, k.String())
		h, changed := st.observe(m.opts.Now(), err, k)
		m.notify(connID, h, changed)
		if k != kindTransient {
			return err
		}
		if moved {
			n, spent = 1, 0
		}
		d := m.backoff(n, err)
		if n >= m.opts.MaxAttempts || spent+d > m.opts.MaxWait {
			return err
		}
		if openUntil, _ := st.gates(); m.opts.Now().Before(openUntil) {
			return m.openError(st) // this failure opened the circuit
		}
		if serr := m.opts.Sleep(ctx, d); serr != nil {
			return serr
		}
		spent += d
	}
}

// execute runs one attempt through the breaker.
func (m *Managed) execute(ctx context.Context, st *connState, attempt attemptFunc) (bool, error) {
	var moved bool
	_, err := st.cb.Execute(func() (struct{}, error) {
		var err error
		moved, err = attempt(ctx)
		if err != nil && moved {
			return struct{}{}, &progressed{err}
		}
		return struct{}{}, err
	})
	var p *progressed
	if errors.As(err, &p) {
		err = p.err
	}
	return moved, err
}

// gate holds a call back while the circuit is open or the vendor asked to
// wait. A wait longer than budget is not slept but returned.
func (m *Managed) gate(ctx context.Context, st *connState, budget time.Duration) error {
	now := m.opts.Now()
	openUntil, notBefore := st.gates()
	if now.Before(openUntil) {
		return m.openError(st)
	}
	if !now.Before(notBefore) {
		return ctx.Err()
	}
	wait := notBefore.Sub(now)
	if wait > budget {
		return connector.BackOff(wait, "waiting for the platform's rate limit to reset", ErrRateLimited)
	}
	if err := m.opts.Sleep(ctx, wait); err != nil {
		return fmt.Errorf("wait for rate limit: %w", err)
	}
	return nil
}

// openError is the fast failure of a call while the circuit is open.
func (m *Managed) openError(st *connState) error {
	openUntil, _ := st.gates()
	wait := openUntil.Sub(m.opts.Now())
	if wait <= 0 {
		// A probe is in flight in the half-open state.
		wait = m.opts.BaseDelay
	}
	h := st.snapshot()
	return connector.BackOff(wait, fmt.Sprintf("circuit open after %d failures in a row; calls resume in %s",
		h.ConsecutiveFailures, wait.Round(time.Second)), ErrCircuitOpen)
}

// backoff is the sleep before retry n (n ≥ 1): full jitter over an
// exponential ceiling, never shorter than the vendor's requested wait.
func (m *Managed) backoff(n int, err error) time.Duration {
	ceiling := m.opts.MaxDelay
	if shift := n - 1; shift < 62 && m.opts.BaseDelay <= ceiling>>shift {
		ceiling = m.opts.BaseDelay << shift
	}
	d := time.Duration(m.opts.Rand() * float64(ceiling))
	var be *connector.BackOffError
	if errors.As(err, &be) && be.Wait > d {
		d = be.Wait
	}
	return d
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func isNetErr(err error) bool {
	var ne net.Error
	return errors.As(err, &ne)
}
