package stripe_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/stripe"
	"github.com/omnify-cloud/omnify/connector/stripe/stripemock"
)

// recorder is an Emitter that keeps what it is given; onRecord, if set, runs
// before each record is kept.
type recorder struct {
	records  []connector.Record
	states   []json.RawMessage
	onRecord func(connector.Record) error
}

func (r *recorder) Record(_ context.Context, rec connector.Record) error {
	if r.onRecord != nil {
		if err := r.onRecord(rec); err != nil {
			return err
		}
	}
	r.records = append(r.records, rec)
	return nil
}

func (r *recorder) Checkpoint(_ context.Context, state json.RawMessage) error {
	r.states = append(r.states, append(json.RawMessage(nil), state...))
	return nil
}

func (r *recorder) Total(int64) {}

func (r *recorder) lastState() json.RawMessage {
	if len(r.states) == 0 {
		return nil
	}
	return r.states[len(r.states)-1]
}

func (r *recorder) ids() []string {
	out := make([]string, len(r.records))
	for i, rec := range r.records {
		out[i] = rec.ExternalID
	}
	return out
}

func conn(base, key string) connector.Connection {
	return connector.Connection{
		ID: "conn_test", OrgID: "org_test",
		Credentials: map[string]string{"secret_key": key},
		HTTP:        &http.Client{Timeout: 5 * time.Second},
		BaseURL:     base,
	}
}

func decodeState(t *testing.T, raw json.RawMessage) stripe.State {
	t.Helper()
	var st stripe.State
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatalf("state %s: %v", raw, err)
	}
	return st
}

// fakeClock is advanced by the driver instead of sleeping.
type fakeClock struct{ now time.Time }

func (c *fakeClock) Now() time.Time { return c.now }

// drive calls Read like the platform manager does: on a BackOffError it
// advances the clock by the hinted wait and resumes from the last
// checkpoint. It returns the back-offs seen.
func drive(t *testing.T, c *stripe.Connector, cn connector.Connection, stream string, state json.RawMessage, rec *recorder, clock *fakeClock) []*connector.BackOffError {
	t.Helper()
	var backs []*connector.BackOffError
	for attempt := 0; attempt < 50; attempt++ {
		err := c.Read(context.Background(), cn, stream, state, rec)
		if err == nil {
			return backs
		}
		var bo *connector.BackOffError
		if !errors.As(err, &bo) {
			t.Fatalf("read %s: %v", stream, err)
		}
		backs = append(backs, bo)
		clock.now = clock.now.Add(bo.Wait)
		if s := rec.lastState(); s != nil {
			state = s
		}
	}
	t.Fatalf("read %s: still backing off after 50 attempts", stream)
	return nil
}

func newFake(t *testing.T) *stripemock.Fake {
	t.Helper()
	return stripemock.NewFake(t)
}

func mustSeed(t *testing.T, f *stripemock.Fake, resource string, n int) []string {
	t.Helper()
	ids, err := f.Seed(resource, n)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
