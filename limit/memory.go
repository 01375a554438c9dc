package limit

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// minSweep is the table size below which Memory never bothers to sweep.
const minSweep = 1024

// Memory is an in-process Limiter for a single API replica. It keeps one
// timestamp per active key; a key whose budget has fully refilled carries no
// information, so it is dropped on the next sweep. Sweeps run when the table
// has doubled since the last one, which keeps their cost amortised O(1) per
// request and memory proportional to the keys active within one period.
type Memory struct {
	now func() time.Time

	mu        sync.Mutex
	tat       map[string]time.Time
	nextSweep int
}

var _ Limiter = (*Memory)(nil)

// NewMemory returns an empty in-process limiter. now defaults to time.Now.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, tat: make(map[string]time.Time), nextSweep: minSweep}
}

// Allow implements Limiter.
func (m *Memory) Allow(ctx context.Context, key string, r Rate) (Decision, error) {
	return m.decide(ctx, key, r, 1)
}

// Peek implements Limiter.
func (m *Memory) Peek(ctx context.Context, key string, r Rate) (Decision, error) {
	return m.decide(ctx, key, r, 0)
}

// Reset implements Limiter.
func (m *Memory) Reset(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("limit reset: %w", err)
	}
	m.mu.Lock()
	delete(m.tat, key)
	m.mu.Unlock()
	return nil
}

// Len reports how many keys the limiter currently remembers.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.tat)
}

func (m *Memory) decide(ctx context.Context, key string, r Rate, cost int) (Decision, error) {
	if err := ctx.Err(); err != nil {
		return Decision{}, fmt.Errorf("limit %q: %w", key, err)
	}
	if err := r.Validate(); err != nil {
		return Decision{}, err
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	d, tat := gcra(now, m.tat[key], r, cost)
	if d.Allowed && cost > 0 {
		m.tat[key] = tat
		m.maybeSweep(now)
	}
	return d, nil
}

// maybeSweep drops keys whose budget is full again. Callers hold mu.
func (m *Memory) maybeSweep(now time.Time) {
	if len(m.tat) < m.nextSweep {
		return
	}
	for k, tat := range m.tat {
		if !tat.After(now) {
			delete(m.tat, k)
		}
	}
	m.nextSweep = max(minSweep, 2*len(m.tat))
}
