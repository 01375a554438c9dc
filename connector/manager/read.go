package manager

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Read validates the connection and reads the stream, retrying transient
// failures from the last checkpoint the caller's Emitter accepted. Records
// emitted after that checkpoint by a failed attempt are emitted again.
func (m *Managed) Read(ctx context.Context, c connector.Connection, stream string, state json.RawMessage, e connector.Emitter) error {
	if err := m.validate(c); err != nil {
		return err
	}
	if !m.streams[stream] {
		return fmt.Errorf("%s read %q: %w", m.spec.Platform, stream, connector.ErrUnknownStream)
	}
	id := connKey(c, credHash(c))
	c = m.prepare(c, id)
	t := &tracker{down: e, state: state, idle: m.opts.IdleTimeout}
	err := m.do(ctx, id, "read", func(ctx context.Context) (bool, error) {
		return m.readOnce(ctx, c, stream, t)
	})
	if errors.Is(err, connector.ErrAuth) {
		m.cache.drop(id)
	}
	var ee *emitError
	if errors.As(err, &ee) {
		return ee.err
	}
	return err
}

// errIdleCause cancels an attempt that went quiet.
var errIdleCause = errors.New("idle")

// readOnce makes one Read attempt from the tracker's last saved state.
func (m *Managed) readOnce(ctx context.Context, c connector.Connection, stream string, t *tracker) (bool, error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	state := t.start(func() { cancel(errIdleCause) })
	err := m.inner.Read(actx, c, stream, state, t)
	moved, downErr := t.stop(state)
	switch {
	// Idleness first: the watchdog's cancel also fails an Emitter call
	// that was about to start.
	case err != nil && context.Cause(actx) == errIdleCause && ctx.Err() == nil:
		return moved, connector.BackOff(0, fmt.Sprintf("the platform sent nothing for %s", m.opts.IdleTimeout), ErrIdle)
	case downErr != nil:
		return moved, &emitError{err: firstErr(err, downErr)}
	}
	return moved, err
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// emitError marks a failure of the caller's Emitter (e.g. the store), which
// says nothing about the platform: it is neither retried nor held against
// the connection's health.
type emitError struct{ err error }

func (e *emitError) Error() string { return e.err.Error() }
func (e *emitError) Unwrap() error { return e.err }

// tracker sits between the connector and the caller's Emitter: it keeps the
// last checkpoint the caller accepted, remembers the caller's own errors and
// runs the idle watchdog, which is paused while the caller stores.
type tracker struct {
	down connector.Emitter
	idle time.Duration

	mu      sync.Mutex
	state   json.RawMessage
	downErr error
	timer   *time.Timer
}

// start arms the watchdog for one attempt and returns the state to resume
// from.
func (t *tracker) start(onIdle func()) json.RawMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.downErr = nil
	t.timer = time.AfterFunc(t.idle, onIdle)
	return t.state
}

// stop disarms the watchdog and says whether the attempt moved the saved
// state on from where it started (a connector that ignores its state and
// checkpoints the same pages again makes no progress) and whether the
// caller's Emitter failed.
func (t *tracker) stop(from json.RawMessage) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.timer.Stop()
	return !bytes.Equal(t.state, from), t.downErr
}

func (t *tracker) pause() {
	t.mu.Lock()
	t.timer.Stop()
	t.mu.Unlock()
}

func (t *tracker) resume(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil && t.downErr == nil {
		t.downErr = err
	}
	t.timer.Reset(t.idle)
}

// Record passes the record on.
func (t *tracker) Record(ctx context.Context, r connector.Record) error {
	t.pause()
	err := t.down.Record(ctx, r)
	t.resume(err)
	return err
}

// Checkpoint passes the state on and keeps it once the caller accepted it.
func (t *tracker) Checkpoint(ctx context.Context, state json.RawMessage) error {
	t.pause()
	err := t.down.Checkpoint(ctx, state)
	if err == nil {
		t.mu.Lock()
		t.state = append(json.RawMessage(nil), state...)
		t.mu.Unlock()
	}
	t.resume(err)
	return err
}

// Total passes the count on.
func (t *tracker) Total(n int64) {
	t.pause()
	t.down.Total(n)
	t.resume(nil)
}
