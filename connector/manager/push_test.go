package manager_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/manager"
)

// pushing is a scripted connector that also pushes: each call pops the
// next scripted error (nil when none is left) and echoes the batch.
type pushing struct {
	scripted
	pmu   sync.Mutex
	errs  []error
	calls []connector.PushRequest
}

func (p *pushing) Push(_ context.Context, _ connector.Connection, req connector.PushRequest) (connector.PushResult, error) {
	p.pmu.Lock()
	defer p.pmu.Unlock()
	p.calls = append(p.calls, req)
	if len(p.errs) > 0 {
		err := p.errs[0]
		p.errs = p.errs[1:]
		if err != nil {
			return connector.PushResult{}, err
		}
	}
	return connector.PushResult{DestinationID: "aud-" + req.Destination, Added: len(req.Add), Removed: len(req.Remove)}, nil
}

func (p *pushing) pushes() int {
	p.pmu.Lock()
	defer p.pmu.Unlock()
	return len(p.calls)
}

func pushReq(add int) connector.PushRequest {
	req := connector.PushRequest{Action: "add", Destination: "vip"}
	for range add {
		req.Add = append(req.Add, connector.Member{CustomerID: "c", Email: "a@example.com"})
	}
	return req
}

func TestPushRetriesTransientFailures(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p := &pushing{errs: []error{connector.BackOff(3*time.Second, "429 from the platform", nil), errVendor5xx}}
	m := manager.Wrap(p, clk.opts(manager.Options{FailureThreshold: 5}))
	res, err := m.Push(context.Background(), conn("c1"), pushReq(3))
	if err != nil {
		t.Fatalf("Push: %v", err)
	}
	mustEqual(t, "destination", res.DestinationID, "aud-vip")
	mustEqual(t, "added", res.Added, 3)
	mustEqual(t, "attempts", p.pushes(), 3)
	if s := clk.Sleeps(); len(s) != 2 || s[0] < 3*time.Second {
		t.Fatalf("sleeps %v, want two with the first at least the vendor's 3s", s)
	}
	mustEqual(t, "health", m.Health("c1").State, manager.Healthy)
}

func TestPushErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		errs      []error
		conn      connector.Connection
		req       connector.PushRequest
		opts      manager.Options
		want      error
		wantCalls int
		wantState manager.State
	}{
		{name: "refused credentials are not retried", errs: []error{connector.ErrAuth}, conn: conn("c1"), req: pushReq(1),
			want: connector.ErrAuth, wantCalls: 1, wantState: manager.Disconnected},
		{name: "a long vendor wait goes back to the caller", conn: conn("c1"), req: pushReq(1),
			errs: []error{connector.BackOff(10*time.Minute, "daily quota", nil)}, opts: manager.Options{MaxWait: time.Minute},
			want: &connector.BackOffError{}, wantCalls: 1, wantState: manager.Degraded},
		{name: "permanent vendor errors are not retried", errs: []error{connector.ErrPermanent}, conn: conn("c1"),
			req: pushReq(1), want: connector.ErrPermanent, wantCalls: 1, wantState: manager.Degraded},
		{name: "bad credentials never reach the platform", conn: connector.Connection{ID: "c1",
			Credentials: map[string]string{"token": "nope"}}, req: pushReq(1), want: connector.ErrInvalidConfig,
			wantState: manager.Unknown},
		{name: "no destination", conn: conn("c1"), req: connector.PushRequest{Action: "add"}, want: manager.ErrBadPush,
			wantState: manager.Unknown},
		{name: "oversized batch", conn: conn("c1"), req: pushReq(connector.MaxPushBatch + 1), want: manager.ErrBadPush,
			wantState: manager.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &pushing{errs: tt.errs}
			m := manager.Wrap(p, newClock().opts(tt.opts))
			_, err := m.Push(context.Background(), tt.conn, tt.req)
			var be *connector.BackOffError
			if _, wantBackOff := tt.want.(*connector.BackOffError); wantBackOff && !errors.As(err, &be) ||
				!wantBackOff && !errors.Is(err, tt.want) {
				t.Fatalf("Push = %v, want %v", err, tt.want)
			}
			mustEqual(t, "calls", p.pushes(), tt.wantCalls)
			if st := m.Health("c1").State; st != tt.wantState && !(tt.wantState == manager.Degraded && st == manager.Failing) {
				t.Fatalf("health %s, want %s", st, tt.wantState)
			}
		})
	}
}

func TestPushOpensTheBreaker(t *testing.T) {
	t.Parallel()
	clk := newClock()
	p := &pushing{errs: []error{errVendor5xx, errVendor5xx, errVendor5xx}}
	m := manager.Wrap(p, clk.opts(manager.Options{FailureThreshold: 2, MaxAttempts: 1, CoolDown: time.Minute}))
	ctx := context.Background()
	for range 2 {
		if _, err := m.Push(ctx, conn("c1"), pushReq(1)); !errors.Is(err, errVendor5xx) {
			t.Fatalf("Push = %v, want the vendor's error", err)
		}
	}
	_, err := m.Push(ctx, conn("c1"), pushReq(1))
	if !errors.Is(err, manager.ErrCircuitOpen) {
		t.Fatalf("Push while open = %v, want ErrCircuitOpen", err)
	}
	mustEqual(t, "platform calls while open", p.pushes(), 2)
	mustEqual(t, "state", m.Health("c1").State, manager.Failing)
}

func TestPushWithoutWriteBack(t *testing.T) {
	t.Parallel()
	m := manager.Wrap(&scripted{}, manager.Options{})
	if m.CanPush() {
		t.Fatal("CanPush of a connector without Push = true")
	}
	if _, err := m.Push(context.Background(), conn("c1"), pushReq(1)); !errors.Is(err, manager.ErrNoWriteBack) {
		t.Fatalf("Push = %v, want ErrNoWriteBack", err)
	}
	if !manager.Wrap(&pushing{}, manager.Options{}).CanPush() {
		t.Fatal("CanPush of a pushing connector = false")
	}
}
