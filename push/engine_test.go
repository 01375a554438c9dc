package push_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/push"
	"github.com/omnify-cloud/omnify/push/pushtest"
	"github.com/omnify-cloud/omnify/store"
)

// people: Ada and Bob granted (Bob is also known to the destination
// platform), Cat granted on Shopify but denied on the destination, Dan
// unknown, Eve denied, Fay granted but outside the segment.
var people = []person{
	{"shopify", "s1", "ada@example.com", "Ada Lovelace", "+14155550101", "granted"},
	{"shopify", "s2", "bob@example.com", "Bob Stone", "", "granted"},
	{pushtest.Platform, "rec-bob", "bob@example.com", "Bob Stone", "", "granted"},
	{"shopify", "s3", "cat@example.com", "Cat Jones", "", "granted"},
	{pushtest.Platform, "rec-cat", "cat@example.com", "Cat Jones", "", "denied"},
	{"shopify", "s4", "dan@example.com", "Dan Brown", "", "unknown"},
	{"shopify", "s5", "eve@example.com", "Eve Adams", "", "denied"},
	{"shopify", "s6", "fay@example.com", "Fay Wray", "", "granted"},
}

var segmentA = []string{"ada@example.com", "bob@example.com", "cat@example.com", "dan@example.com", "eve@example.com"}

func TestPushSendsOnlyConsentedCustomers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, push.Config{})
	e.seed(people...)
	e.segment(segmentA...)
	j := e.runJob(t.Context(), e.start("  VIP ").ID)
	res := result(t, j)

	want := e.ids("ada@example.com", "bob@example.com")
	equal(t, "vendor audience", e.rec.AudienceIDs("VIP"), want)
	equal(t, "recorded audience", e.recorded("VIP"), want)
	added, removed := sent(e.rec.Calls())
	equal(t, "everyone ever sent", added, want)
	equal(t, "removed", removed, nil)
	if res.Added != 2 || res.Removed != 0 || res.SkippedNoConsent != 3 || res.FailedCount != 0 ||
		res.DestinationID != "aud:VIP" || res.Destination != "VIP" {
		t.Fatalf("result %+v", res)
	}
	aud := e.rec.Audience("VIP")
	ada, bob := aud[e.email["ada@example.com"]], aud[e.email["bob@example.com"]]
	if ada.Email != "ada@example.com" || ada.Phone != "+14155550101" || ada.FirstName != "Ada" ||
		ada.LastName != "Lovelace" || ada.ExternalID != "" {
		t.Fatalf("Ada sent as %+v", ada)
	}
	if bob.ExternalID != "rec-bob" {
		t.Fatalf("Bob sent as %+v, want his ID on the destination", bob)
	}
	var prog push.Progress
	must(t, json.Unmarshal(j.Progress, &prog), "decode progress")
	if prog.Phase != "pushing" || prog.BatchesDone != 1 || prog.Added != 2 {
		t.Fatalf("progress %+v", prog)
	}
}

func TestSecondPushSendsOnlyTheDifference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		change        func(e *env)
		added, remove []string // emails in the second push
		audience      []string
	}{
		{name: "nothing changed", change: func(*env) {},
			audience: []string{"ada@example.com", "bob@example.com"}},
		{name: "segment changed",
			change: func(e *env) { e.segment("bob@example.com", "fay@example.com", "eve@example.com") },
			added:  []string{"fay@example.com"}, remove: []string{"ada@example.com"},
			audience: []string{"bob@example.com", "fay@example.com"}},
		{name: "consent withdrawn on another platform",
			change: func(e *env) {
				e.seed(person{pushtest.Platform, "rec-ada", "ada@example.com", "Ada Lovelace", "", "denied"})
			},
			remove: []string{"ada@example.com"}, audience: []string{"bob@example.com"}},
		{name: "consent granted later",
			change: func(e *env) {
				e.seed(person{pushtest.Platform, "rec-dan", "dan@example.com", "Dan Brown", "", "granted"})
			},
			added: []string{"dan@example.com"}, audience: []string{"ada@example.com", "bob@example.com", "dan@example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, push.Config{})
			e.seed(people...)
			e.segment(segmentA...)
			result(t, e.runJob(t.Context(), e.start("VIP").ID))
			first := len(e.rec.Calls())
			tt.change(e)
			res := result(t, e.runJob(t.Context(), e.start("VIP").ID))
			added, removed := sent(e.rec.Calls()[first:])
			equal(t, "added by the second push", added, e.ids(tt.added...))
			equal(t, "removed by the second push", removed, e.ids(tt.remove...))
			equal(t, "vendor audience", e.rec.AudienceIDs("VIP"), e.ids(tt.audience...))
			equal(t, "recorded audience", e.recorded("VIP"), e.ids(tt.audience...))
			if res.Added != len(tt.added) || res.Removed != len(tt.remove) {
				t.Fatalf("result %+v", res)
			}
		})
	}
}

// many seeds n granted customers in seg-a and returns their IDs.
func (e *env) many(n int) []string {
	var emails []string
	for i := range n {
		m := fmt.Sprintf("c%02d@example.com", i)
		e.seed(person{"shopify", fmt.Sprintf("s%02d", i), m, "C Number", "", "granted"})
		emails = append(emails, m)
	}
	e.segment(emails...)
	return e.ids(emails...)
}

func TestPushResumesAfterACrash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fail func(cancel context.CancelFunc) func(context.Context, int, connector.PushRequest) error
		// wait is how long until the job may be claimed again.
		wait time.Duration
	}{
		{name: "third batch fails", wait: time.Hour,
			fail: func(context.CancelFunc) func(context.Context, int, connector.PushRequest) error {
				return func(_ context.Context, call int, _ connector.PushRequest) error {
					if call == 3 {
						return errors.New("connection reset by peer")
					}
					return nil
				}
			}},
		{name: "worker stops during the third batch", wait: time.Hour,
			fail: func(cancel context.CancelFunc) func(context.Context, int, connector.PushRequest) error {
				return func(ctx context.Context, call int, _ connector.PushRequest) error {
					if call == 3 {
						cancel()
						return ctx.Err()
					}
					return nil
				}
			}},
		{name: "worker stops right after the platform accepted the third batch", wait: time.Hour,
			fail: func(cancel context.CancelFunc) func(context.Context, int, connector.PushRequest) error {
				return func(_ context.Context, call int, _ connector.PushRequest) error {
					if call == 3 {
						cancel() // the batch still goes through; the record must follow
					}
					return nil
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, push.Config{BatchSize: 2})
			all := e.many(7)
			ctx, cancel := context.WithCancel(t.Context())
			e.rec.Fail = tt.fail(cancel)
			id := e.start("Loyal").ID
			if j := e.runJob(ctx, id); j.Status == omnify.JobSucceeded {
				t.Fatal("the interrupted job succeeded")
			}
			before := len(e.rec.Calls())
			e.rec.Fail = nil
			e.clk.Advance(tt.wait)
			res := result(t, e.runJob(t.Context(), id))
			equal(t, "vendor audience", e.rec.AudienceIDs("Loyal"), all)
			equal(t, "recorded audience", e.recorded("Loyal"), all)
			// Batches recorded before the crash are not sent again.
			resent, _ := sent(e.rec.Calls()[before:])
			if len(resent) > 7-4 {
				t.Fatalf("resumed push sent %v, want at most the 3 after the two recorded batches", resent)
			}
			if res.Added != 7 {
				t.Fatalf("result counts %d added over both attempts, want 7", res.Added)
			}
		})
	}
}

func TestPushHonoursBackOff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		waits     []time.Duration // the vendor's answers before it accepts
		maxWait   time.Duration
		wantSleep []time.Duration
		wantFirst omnify.JobStatus
	}{
		{name: "short waits are waited out", waits: []time.Duration{7 * time.Second, 2 * time.Second},
			wantSleep: []time.Duration{7 * time.Second, 2 * time.Second}, wantFirst: omnify.JobSucceeded},
		{name: "a wait past MaxWait fails the attempt for a later retry", waits: []time.Duration{time.Hour},
			maxWait: time.Minute, wantFirst: omnify.JobFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, push.Config{MaxWait: tt.maxWait})
			all := e.many(3)
			e.rec.Fail = func(_ context.Context, call int, _ connector.PushRequest) error {
				if call <= len(tt.waits) {
					return connector.BackOff(tt.waits[call-1], "429 Too Many Requests", nil)
				}
				return nil
			}
			id := e.start("VIP").ID
			j := e.runJob(t.Context(), id)
			if j.Status != tt.wantFirst {
				t.Fatalf("first run: %s (%s), want %s", j.Status, j.Error, tt.wantFirst)
			}
			equal(t, "sleeps", durations(e.clk.Sleeps()), durations(tt.wantSleep))
			if j.Status == omnify.JobFailed {
				if !strings.Contains(j.Error, "429 Too Many Requests") {
					t.Fatalf("job error %q does not give the platform's reason", j.Error)
				}
				e.clk.Advance(time.Hour)
				j = e.runJob(t.Context(), id)
			}
			result(t, j)
			equal(t, "vendor audience", e.rec.AudienceIDs("VIP"), all)
		})
	}
}

func durations(ds []time.Duration) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.String())
	}
	return out
}

func TestPushReportsMemberFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, push.Config{})
	e.seed(people...)
	e.segment(segmentA...)
	ada := e.email["ada@example.com"]
	e.rec.Refuse = func(m connector.Member) string {
		if m.CustomerID == ada {
			return "Recorder: invalid email"
		}
		return ""
	}
	res := result(t, e.runJob(t.Context(), e.start("VIP").ID))
	if res.FailedCount != 1 || len(res.Failed) != 1 || res.Failed[0] != (push.Failure{CustomerID: ada, Reason: "Recorder: invalid email"}) {
		t.Fatalf("failures %+v", res.Failed)
	}
	if res.Added != 1 {
		t.Fatalf("added %d, want only Bob", res.Added)
	}
	equal(t, "recorded audience", e.recorded("VIP"), e.ids("bob@example.com"))

	// The next push tries the refused member again, and only her.
	e.rec.Refuse = nil
	before := len(e.rec.Calls())
	res = result(t, e.runJob(t.Context(), e.start("VIP").ID))
	added, _ := sent(e.rec.Calls()[before:])
	equal(t, "retried", added, []string{ada})
	if res.FailedCount != 0 {
		t.Fatalf("second push failures %+v", res.Failed)
	}
	equal(t, "recorded audience", e.recorded("VIP"), e.ids("ada@example.com", "bob@example.com"))
}

func TestPushFailsForGood(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(e *env)
		want  string
	}{
		{name: "credentials refused", want: "credentials refused", setup: func(e *env) {
			e.rec.Fail = func(context.Context, int, connector.PushRequest) error { return connector.ErrAuth }
		}},
		{name: "connection deleted", want: "not found", setup: func(e *env) {
			must(e.t, e.db.DeleteConnection(context.Background(), e.org, e.conn), "delete connection")
		}},
		{name: "segment gone from the latest run", want: "no such segment", setup: func(e *env) {
			pushtest.Run(e.t, e.db, e.org, map[string][]string{"seg-z": e.ids("ada@example.com")})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, push.Config{})
			e.seed(people...)
			e.segment(segmentA...)
			id := e.start("VIP").ID
			tt.setup(e)
			j := e.runJob(t.Context(), id)
			if j.Status != omnify.JobDead || !strings.Contains(j.Error, tt.want) {
				t.Fatalf("job %s %q, want dead with %q", j.Status, j.Error, tt.want)
			}
			if j.Attempts != 1 {
				t.Fatalf("%d attempts, want 1", j.Attempts)
			}
		})
	}
}

func TestStartValidates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, push.Config{})
	ctx := context.Background()
	bare := &readOnly{}
	must(t, e.reg.Register(bare), "register read-only connector")
	readConn := &omnify.Connection{OrgID: e.org, Platform: "readonly", Name: "Read only", CredentialsCiphertext: []byte{1}}
	must(t, e.db.CreateConnection(ctx, readConn), "create read-only connection")

	_, err := e.eng.Start(ctx, e.org, "u", push.Request{SegmentID: "seg-a", ConnectionID: e.conn, Destination: "VIP"})
	if !errors.Is(err, push.ErrNoRun) {
		t.Fatalf("Start before any run = %v, want ErrNoRun", err)
	}
	e.seed(people...)
	e.segment(segmentA...)
	tests := []struct {
		name  string
		req   push.Request
		kind  error
		field string
	}{
		{"unknown segment", push.Request{SegmentID: "nope", ConnectionID: e.conn, Destination: "VIP"}, push.ErrNoSegment, ""},
		{"unknown connection", push.Request{SegmentID: "seg-a", ConnectionID: "nope", Destination: "VIP"}, omnify.ErrNotFound, ""},
		{"no connection", push.Request{SegmentID: "seg-a", Destination: "VIP"}, omnify.ErrInvalid, "connection_id"},
		{"platform without write-back", push.Request{SegmentID: "seg-a", ConnectionID: readConn.ID, Destination: "VIP"},
			omnify.ErrInvalid, "connection_id"},
		{"blank destination", push.Request{SegmentID: "seg-a", ConnectionID: e.conn, Destination: "  "}, omnify.ErrInvalid, "destination"},
		{"long destination", push.Request{SegmentID: "seg-a", ConnectionID: e.conn, Destination: strings.Repeat("é", 201)},
			omnify.ErrInvalid, "destination"},
	}
	for _, tt := range tests {
		_, err := e.eng.Start(ctx, e.org, "u", tt.req)
		var fe *omnify.FieldError
		if !errors.Is(err, tt.kind) || (tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field)) {
			t.Errorf("%s: Start = %v, want %v naming %q", tt.name, err, tt.kind, tt.field)
		}
	}
	// One push per audience at a time.
	first, err := e.eng.Start(ctx, e.org, "u", push.Request{SegmentID: "seg-a", ConnectionID: e.conn, Destination: "VIP"})
	must(t, err, "start a push")
	_, err = e.eng.Start(ctx, e.org, "u", push.Request{SegmentID: "seg-a", ConnectionID: e.conn, Destination: "VIP"})
	if !errors.Is(err, push.ErrBusy) || !errors.Is(err, omnify.ErrConflict) {
		t.Fatalf("second push to a busy audience = %v, want ErrBusy", err)
	}
	_, err = e.eng.Start(ctx, e.org, "u", push.Request{SegmentID: "seg-a", ConnectionID: e.conn, Destination: "Other"})
	must(t, err, "push to another audience meanwhile")
	result(t, e.runJob(ctx, first.ID))
	_, err = e.eng.Start(ctx, e.org, "u", push.Request{SegmentID: "seg-a", ConnectionID: e.conn, Destination: "VIP"})
	must(t, err, "push again once the first finished")

	// Another org's connection is not found.
	must(t, e.db.CreateOrg(ctx, &omnify.Org{ID: "org-2", Name: "Other"}), "create org-2")
	pushtest.Run(t, e.db, "org-2", map[string][]string{"seg-a": nil})
	_, err = e.eng.Start(ctx, "org-2", "u", push.Request{SegmentID: "seg-a", ConnectionID: e.conn, Destination: "VIP"})
	if !errors.Is(err, omnify.ErrNotFound) {
		t.Fatalf("Start with another org's connection = %v, want ErrNotFound", err)
	}
}

// readOnly is a connector without write-back.
type readOnly struct{}

func (readOnly) Spec() connector.Spec {
	return connector.Spec{Platform: "readonly", Credentials: map[string]any{"type": "object"},
		Config: map[string]any{"type": "object"}}
}
func (readOnly) Check(context.Context, connector.Connection) error { return nil }
func (readOnly) Streams() []connector.Stream                       { return nil }
func (readOnly) Read(context.Context, connector.Connection, string, json.RawMessage, connector.Emitter) error {
	return nil
}
func (readOnly) Actions() []connector.Action { return nil }

// TestPushForgetsCustomersWhoNoLongerExist: a pushed customer merged into
// another one since is dropped from the record without a call — removing
// them by what the platform knows would remove the person who lives on in
// the survivor — and is not reported as a failure on every later push.
func TestPushForgetsCustomersWhoNoLongerExist(t *testing.T) {
	t.Parallel()
	e := newEnv(t, push.Config{})
	e.seed(people...)
	e.segment(segmentA...)
	result(t, e.runJob(t.Context(), e.start("VIP").ID))
	ada, fay := e.email["ada@example.com"], e.email["fay@example.com"]
	must(t, e.db.ApplyResolution(t.Context(), e.org, store.Resolution{Merged: map[string]string{ada: fay}}), "merge Ada into Fay")
	first := len(e.rec.Calls())

	res := result(t, e.runJob(t.Context(), e.start("VIP").ID))
	added, removed := sent(e.rec.Calls()[first:])
	equal(t, "added by the second push", added, nil)
	equal(t, "removed by the second push", removed, nil)
	equal(t, "recorded audience", e.recorded("VIP"), e.ids("bob@example.com"))
	if res.Forgotten != 1 || res.FailedCount != 0 || res.Removed != 0 {
		t.Fatalf("result %+v, want one forgotten and no failure", res)
	}
	res = result(t, e.runJob(t.Context(), e.start("VIP").ID))
	if res.Forgotten != 0 || res.FailedCount != 0 {
		t.Fatalf("third push %+v, want nothing left to forget", res)
	}
}
