package stripe_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/stripe"
	"github.com/omnify-cloud/omnify/connector/stripe/stripemock"
)

func read(t *testing.T, c *stripe.Connector, f *stripemock.Fake, stream string, state json.RawMessage) *recorder {
	t.Helper()
	rec := &recorder{}
	if err := c.Read(context.Background(), conn(f.URL, f.Key), stream, state, rec); err != nil {
		t.Fatalf("read %s: %v", stream, err)
	}
	return rec
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// assertForward checks that EventCreated never decreases along the
// checkpoints, starting from the state the read began with.
func assertForward(t *testing.T, from json.RawMessage, states []json.RawMessage) {
	t.Helper()
	prev := int64(0)
	if from != nil {
		prev = decodeState(t, from).EventCreated
	}
	for i, s := range states {
		st := decodeState(t, s)
		if st.EventID != "" && st.EventCreated < prev {
			t.Fatalf("checkpoint %d moves back: %d < %d (%s)", i, st.EventCreated, prev, s)
		}
		prev = max(prev, st.EventCreated)
	}
}

func TestIncrementalEmitsOnlyNewerChanges(t *testing.T) {
	f := newFake(t)
	c := stripe.New()
	var ids []string
	for range 3 {
		id, err := f.Create(stripe.Customers)
		must(t, err)
		ids = append(ids, id)
	}
	full := read(t, c, f, stripe.Customers, nil)
	assertExactlyOnce(t, full.ids(), ids)
	base := full.lastState()

	must(t, f.Update(stripe.Customers, ids[1], func(o map[string]any) { o["email"] = "new@example.com" }))
	must(t, f.Delete(stripe.Customers, ids[2]))
	newID, err := f.Create(stripe.Customers)
	must(t, err)
	// Same prefix, other objects, other streams: all ignored.
	f.AddEvent("customer.discount.created", map[string]any{"id": "di_1", "object": "discount"})
	_, err = f.Create(stripe.Charges)
	must(t, err)

	inc := read(t, c, f, stripe.Customers, base)
	got := inc.records
	if len(got) != 3 {
		t.Fatalf("want 3 changes, got %d: %v", len(got), inc.ids())
	}
	if got[0].ExternalID != ids[1] || got[0].Customer.Email != "new@example.com" || got[0].Deleted {
		t.Errorf("first change should be the update: %+v", got[0])
	}
	if got[1].ExternalID != ids[2] || !got[1].Deleted {
		t.Errorf("second change should be the deletion: %+v", got[1])
	}
	if got[2].ExternalID != newID || got[2].Deleted {
		t.Errorf("third change should be the new customer: %+v", got[2])
	}
	assertForward(t, base, inc.states)

	again := read(t, c, f, stripe.Customers, inc.lastState())
	if len(again.records) != 0 || len(again.states) != 0 {
		t.Fatalf("nothing new: got %d records, %d checkpoints", len(again.records), len(again.states))
	}
}

// Changes made while the full read runs are replayed afterwards, because the
// event cursor is taken before the first page.
func TestIncrementalCatchesChangesDuringFullRead(t *testing.T) {
	f := newFake(t)
	c := stripe.New()
	id, err := f.Create(stripe.Customers)
	must(t, err)
	mustSeed(t, f, stripe.Customers, 150)
	rec := &recorder{}
	rec.onRecord = func(r connector.Record) error {
		if len(rec.records) == 120 {
			return f.Update(stripe.Customers, id, func(o map[string]any) { o["name"] = "Grace Hopper" })
		}
		return nil
	}
	must(t, c.Read(context.Background(), conn(f.URL, f.Key), stripe.Customers, nil, rec))
	last := rec.records[len(rec.records)-1]
	if last.ExternalID != id || last.Customer.FirstName != "Grace" || last.Customer.LastName != "Hopper" {
		t.Fatalf("the update made during the full read should come last: %+v", last)
	}
}

func TestIncrementalPagesOldestFirst(t *testing.T) {
	f := newFake(t)
	c := stripe.New()
	id, err := f.Create(stripe.Subscriptions)
	must(t, err)
	base := read(t, c, f, stripe.Subscriptions, nil).lastState()
	for i := range 250 {
		must(t, f.Update(stripe.Subscriptions, id, func(o map[string]any) { o["metadata"] = map[string]any{"n": fmt.Sprint(i)} }))
	}
	must(t, f.Update(stripe.Subscriptions, id, func(o map[string]any) {
		o["status"], o["canceled_at"] = "canceled", int64(1767300000)
	}))
	f.AddEvent("customer.subscription.deleted", mustObject(t, f, id))

	inc := read(t, c, f, stripe.Subscriptions, base)
	if len(inc.records) != 252 {
		t.Fatalf("want 252 records, got %d", len(inc.records))
	}
	for i := 1; i < len(inc.records); i++ {
		if inc.records[i].UpdatedAt.Before(inc.records[i-1].UpdatedAt) {
			t.Fatalf("record %d is older than the one before", i)
		}
	}
	if len(inc.states) != 3 {
		t.Fatalf("want a checkpoint per page of 100 events, got %d", len(inc.states))
	}
	assertForward(t, base, inc.states)
	end := inc.records[len(inc.records)-1]
	if end.Deleted || end.Subscription.Status != "canceled" || end.Subscription.CanceledAt == nil {
		t.Fatalf("an ended subscription stays a canceled record: %+v %+v", end, end.Subscription)
	}
}

func mustObject(t *testing.T, f *stripemock.Fake, id string) map[string]any {
	t.Helper()
	obj, err := stripemock.Fixture("subscription")
	must(t, err)
	obj["id"], obj["status"], obj["canceled_at"] = id, "canceled", int64(1767300000)
	return obj
}

// Without any event when the full read starts, the incremental phase reads
// events created since then (less the skew margin).
func TestIncrementalSinceStartWithoutEvents(t *testing.T) {
	f := newFake(t)
	mustSeed(t, f, stripe.Customers, 5)
	start := time.Unix(1767300000, 0)
	c := stripe.New(stripe.WithClock(func() time.Time { return start }))
	full := read(t, c, f, stripe.Customers, nil)
	st := decodeState(t, full.lastState())
	if st.EventID != "" || st.Since != start.Add(-5*time.Minute).Unix() {
		t.Fatalf("state %+v: want since = start - 5 min", st)
	}
	f.SetCreated(start.Unix() - 3600) // an event older than the window
	f.AddEvent("customer.updated", map[string]any{"id": "cus_old", "object": "customer"})
	f.SetCreated(start.Unix())
	newID, err := f.Create(stripe.Customers)
	must(t, err)
	inc := read(t, c, f, stripe.Customers, full.lastState())
	if len(inc.records) != 1 || inc.records[0].ExternalID != newID {
		t.Fatalf("want only %s, got %v", newID, inc.ids())
	}
	if st := decodeState(t, inc.lastState()); st.EventID == "" || st.Since != 0 {
		t.Fatalf("after the first event the cursor is an event: %+v", st)
	}
}

// A cursor event Stripe no longer has (older than 30 days) falls back to
// reading by creation time from the cursor's timestamp.
func TestIncrementalCursorAgedOut(t *testing.T) {
	f := newFake(t)
	c := stripe.New()
	f.SetCreated(1767300000)
	id, err := f.Create(stripe.Customers)
	must(t, err)
	state := json.RawMessage(`{"phase":"events","event_id":"evt_gone","event_created":1767300000}`)
	inc := read(t, c, f, stripe.Customers, state)
	if len(inc.records) != 1 || inc.records[0].ExternalID != id {
		t.Fatalf("want %s, got %v", id, inc.ids())
	}
	assertForward(t, state, inc.states)
}

// Events timestamped before the saved cursor (clock steps on Stripe's side)
// are still applied, but the saved state never moves back.
func TestIncrementalStateNeverMovesBack(t *testing.T) {
	f := newFake(t)
	c := stripe.New()
	_, err := f.Create(stripe.Customers)
	must(t, err)
	full := read(t, c, f, stripe.Customers, nil)
	first := decodeState(t, full.lastState()).EventID
	future := json.RawMessage(fmt.Sprintf(`{"phase":"events","event_id":%q,"event_created":9999999999}`, first))
	for range 120 {
		_, err := f.Create(stripe.Customers)
		must(t, err)
	}
	inc := read(t, c, f, stripe.Customers, future)
	if len(inc.records) != 120 {
		t.Fatalf("want the 120 new customers, got %d", len(inc.records))
	}
	if len(inc.states) != 0 {
		t.Fatalf("no checkpoint may move the cursor back, got %s", inc.states)
	}
}

func TestIncrementalPerStream(t *testing.T) {
	for _, stream := range []string{stripe.Customers, stripe.Charges, stripe.Invoices, stripe.Subscriptions} {
		t.Run(stream, func(t *testing.T) {
			f := newFake(t)
			c := stripe.New()
			old, err := f.Create(stream)
			must(t, err)
			base := read(t, c, f, stream, nil).lastState()
			// Traffic on the other streams must not leak in.
			for _, other := range []string{stripe.Customers, stripe.Charges, stripe.Invoices, stripe.Subscriptions} {
				if other != stream {
					_, err := f.Create(other)
					must(t, err)
				}
			}
			id, err := f.Create(stream)
			must(t, err)
			if stream == stripe.Charges {
				must(t, f.Update(stream, old, func(o map[string]any) { o["refunded"] = true }))
			} else {
				must(t, f.Delete(stream, old))
			}
			inc := read(t, c, f, stream, base)
			if len(inc.records) != 2 || inc.records[0].ExternalID != id || inc.records[1].ExternalID != old {
				t.Fatalf("want %s then %s, got %v", id, old, inc.ids())
			}
			for _, r := range inc.records {
				if r.Stream != stream {
					t.Fatalf("record of stream %q in %s", r.Stream, stream)
				}
			}
			// Subscriptions end rather than vanish (see recordOf); charges
			// are refunded, never deleted.
			wantDeleted := stream == stripe.Customers || stream == stripe.Invoices
			if inc.records[1].Deleted != wantDeleted {
				t.Fatalf("deleted = %v, want %v", inc.records[1].Deleted, wantDeleted)
			}
			if sub := inc.records[1].Subscription; sub != nil && (sub.Status != "canceled" || sub.CanceledAt == nil) {
				t.Fatalf("ended subscription %+v", sub)
			}
			if inv := inc.records[1].Invoice; stream == stripe.Charges && inv.Status != "refunded" {
				t.Fatalf("refunded charge %+v", inv)
			}
		})
	}
}

// An event copy that the SDK cannot decode (an older API version shaped it
// differently) is replaced by the object read afresh.
func TestIncrementalRefetchesUndecodableObjects(t *testing.T) {
	f := newFake(t)
	c := stripe.New()
	id, err := f.Create(stripe.Customers)
	must(t, err)
	base := read(t, c, f, stripe.Customers, nil).lastState()
	odd := map[string]any{"id": id, "object": "customer", "created": "yesterday", "email": "stale@example.com"}
	f.AddEvent("customer.updated", odd)
	f.AddEvent("customer.updated", map[string]any{"id": "cus_vanished", "object": "customer", "created": "yesterday"})
	f.AddEvent("customer.deleted", map[string]any{"id": "cus_gone", "object": "customer", "created": "yesterday"})
	inc := read(t, c, f, stripe.Customers, base)
	if len(inc.records) != 3 {
		t.Fatalf("want 3 records, got %v", inc.ids())
	}
	fresh, vanished, gone := inc.records[0], inc.records[1], inc.records[2]
	if fresh.ExternalID != id || fresh.Deleted || fresh.Customer == nil || fresh.Customer.Email != "customer1@example.com" {
		t.Errorf("want the customer as Stripe serves it now: %+v %+v", fresh, fresh.Customer)
	}
	if vanished.ExternalID != "cus_vanished" || !vanished.Deleted {
		t.Errorf("an object Stripe no longer has is deleted: %+v", vanished)
	}
	if gone.ExternalID != "cus_gone" || !gone.Deleted || gone.Stream != stripe.Customers {
		t.Errorf("deletion: %+v", gone)
	}
	var retrieves int
	for _, r := range f.Requests() {
		if strings.HasPrefix(r, "/v1/customers/") {
			retrieves++
		}
	}
	if retrieves != 2 {
		t.Errorf("want 2 retrieves (none for the deletion), got %d", retrieves)
	}
}
