package klaviyo_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
)

// clock is a settable clock for the fake's rate-limit windows, so tests
// wait out Retry-After without sleeping.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *clock { return &clock{now: time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)} }

// pushAll repeats a push after each back-off, as the push engine does,
// advancing the fake clock by the wait; it returns the result and the
// back-offs seen.
func pushAll(t *testing.T, c *klaviyo.Connector, conn connector.Connection, clk *clock, req connector.PushRequest) (connector.PushResult, []*connector.BackOffError) {
	t.Helper()
	var waits []*connector.BackOffError
	for range 50 {
		res, err := c.Push(context.Background(), conn, req)
		var bo *connector.BackOffError
		if errors.As(err, &bo) {
			waits = append(waits, bo)
			clk.Advance(bo.Wait)
			continue
		}
		if err != nil {
			t.Fatalf("push: %v", err)
		}
		return res, waits
	}
	t.Fatal("push never finished")
	return connector.PushResult{}, nil
}

// members returns people customer<from>..customer<to-1>; withID gives
// them their Klaviyo profile IDs.
func members(srv *klaviyotest.Server, from, to int, withID bool) []connector.Member {
	var out []connector.Member
	for i := from; i < to; i++ {
		email := fmt.Sprintf("customer%d@example.com", i)
		m := connector.Member{CustomerID: fmt.Sprintf("cust-%d", i), Email: email, FirstName: "C", LastName: fmt.Sprint(i)}
		if withID {
			m.ExternalID = srv.ProfileID(email)
		}
		out = append(out, m)
	}
	return out
}

func newMembers(n int) []connector.Member {
	out := make([]connector.Member, n)
	for i := range out {
		out[i] = connector.Member{CustomerID: fmt.Sprintf("new-%d", i), Email: fmt.Sprintf("new%d@shop.example", i)}
	}
	return out
}

func TestPushCreatesListAndAddsInBatches(t *testing.T) {
	t.Parallel()
	clk := newClock()
	srv := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 3000, Lists: 3, Seed: 11, Now: clk.Now})
	c := klaviyo.New()
	add := append(members(srv, 0, 1500, true), newMembers(2500)...)
	req := connector.PushRequest{Action: klaviyo.ActionAddToList, Destination: "VIP winback", Add: add}
	res, waits := pushAll(t, c, srv.Connection(), clk, req)
	if ids := srv.Lists("VIP winback"); len(ids) != 1 || res.DestinationID != ids[0] {
		t.Fatalf("lists named VIP winback: %v, result names %q", ids, res.DestinationID)
	}
	if res.Added != 4000 || len(res.Failed) != 0 {
		t.Errorf("added %d, failed %v; want 4000 and none", res.Added, res.Failed)
	}
	if got := len(srv.Audience("VIP winback")); got != 4000 {
		t.Errorf("audience has %d members, want 4000", got)
	}
	// 1500 with IDs: two add calls of at most 1000; 2500 without: one
	// bulk import job, polled until complete (one back-off while it runs).
	for op, want := range map[string]int{"add_profiles_to_list": 2, "bulk_import_profiles": 1, "create_list": 1} {
		if got := srv.Requests(op); got != want {
			t.Errorf("%s called %d times, want %d", op, got, want)
		}
	}
	if len(waits) != 1 || !strings.Contains(waits[0].Reason, "importing") {
		t.Errorf("back-offs %v, want one while the import ran", waits)
	}

	// The same batch again, from a fresh connector: the list is found by
	// name, nothing changes.
	res2, _ := pushAll(t, klaviyo.New(), srv.Connection(), clk, req)
	if res2.DestinationID != res.DestinationID || srv.Requests("create_list") != 1 {
		t.Errorf("repeat used list %q and created %d lists", res2.DestinationID, srv.Requests("create_list"))
	}
	if got := len(srv.Audience(res.DestinationID)); got != 4000 {
		t.Errorf("after the repeat the audience has %d members", got)
	}
}

func TestPushRemoves(t *testing.T) {
	t.Parallel()
	clk := newClock()
	srv := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 2000, Seed: 12, Now: clk.Now})
	c := klaviyo.New()
	conn := srv.Connection()
	res, _ := pushAll(t, c, conn, clk, connector.PushRequest{Action: klaviyo.ActionAddToList, Destination: "Churn risk",
		Add: members(srv, 0, 1800, true)})
	// 900 by ID, 300 by email only, 50 people Klaviyo never heard of, and
	// 10 already outside the list.
	remove := append(members(srv, 0, 900, true), members(srv, 900, 1200, false)...)
	remove = append(remove, newMembers(50)...)
	remove = append(remove, members(srv, 1990, 2000, true)...)
	before := srv.Requests("remove_profiles_from_list")
	res2, _ := pushAll(t, c, conn, clk, connector.PushRequest{Action: klaviyo.ActionAddToList, Destination: res.DestinationID, Remove: remove})
	if got := len(srv.Audience("Churn risk")); got != 600 {
		t.Errorf("audience has %d members after removing 1200 of 1800", got)
	}
	if res2.Removed != 1210 || len(res2.Failed) != 0 {
		t.Errorf("removed %d (failed %v), want 1210 sent and no failures", res2.Removed, res2.Failed)
	}
	if got := srv.Requests("remove_profiles_from_list") - before; got != 2 {
		t.Errorf("%d remove calls for 1210 profiles, want 2 (1000 per call)", got)
	}
}

func TestPushPerMemberFailures(t *testing.T) {
	t.Parallel()
	clk := newClock()
	srv := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 50, Seed: 13, Now: clk.Now})
	add := members(srv, 0, 20, true)
	add[5].ExternalID = "01JNOSUCHPROFILE0000000000"
	add = append(add,
		connector.Member{CustomerID: "bad-email", Email: "not-an-email"},
		connector.Member{CustomerID: "bad-phone", Phone: "555-0100"},
		connector.Member{CustomerID: "nobody"},
		connector.Member{CustomerID: "fine", Email: "fine@shop.example", Phone: "+14155550199"},
	)
	res, _ := pushAll(t, klaviyo.New(), srv.Connection(), clk, connector.PushRequest{Action: klaviyo.ActionAddToList,
		Destination: "Mixed", Add: add})
	failed := map[string]string{}
	for _, f := range res.Failed {
		failed[f.CustomerID] = f.Reason
	}
	for _, id := range []string{add[5].CustomerID, "bad-email", "bad-phone", "nobody"} {
		if !strings.HasPrefix(failed[id], "Klaviyo: ") {
			t.Errorf("%s: failure %q, want a Klaviyo reason", id, failed[id])
		}
	}
	if len(failed) != 4 || res.Added != 20 {
		t.Errorf("failed %v, added %d; want 4 failures and 20 added", failed, res.Added)
	}
	aud := srv.Audience("Mixed")
	if len(aud) != 20 || !contains(aud, "fine@shop.example") || contains(aud, add[5].Email) {
		t.Errorf("audience %d members: %v", len(aud), aud)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestPushThrottled spends the list-write burst (10/s) and expects the
// next push to come back as a back-off with Klaviyo's Retry-After, then to
// finish without resending what was applied.
func TestPushThrottled(t *testing.T) {
	t.Parallel()
	clk := newClock()
	srv := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 12000, Seed: 14, Now: clk.Now})
	c := klaviyo.New()
	conn := srv.Connection()
	_, err := c.Push(context.Background(), conn, connector.PushRequest{Action: klaviyo.ActionAddToList, Destination: "Big",
		Add: members(srv, 0, 10000, true)})
	if err != nil {
		t.Fatalf("ten calls within the burst: %v", err)
	}
	req := connector.PushRequest{Action: klaviyo.ActionAddToList, Destination: "Big", Add: members(srv, 10000, 12000, true)}
	_, err = c.Push(context.Background(), conn, req)
	var bo *connector.BackOffError
	if !errors.As(err, &bo) || bo.Wait != time.Second || !strings.Contains(bo.Reason, "throttled") {
		t.Fatalf("eleventh call in a second: %v, want a 1s back-off", err)
	}
	clk.Advance(bo.Wait)
	res, waits := pushAll(t, c, conn, clk, req)
	if len(waits) != 0 {
		t.Errorf("after waiting out Retry-After: back-offs %v", waits)
	}
	if res.Added != 2000 || len(srv.Audience("Big")) != 12000 {
		t.Errorf("added %d, audience %d", res.Added, len(srv.Audience("Big")))
	}
	if got := srv.Requests("add_profiles_to_list"); got != 13 {
		t.Errorf("%d add calls, want 13 (12 applied, 1 throttled)", got)
	}
}

func TestPushValidation(t *testing.T) {
	t.Parallel()
	srv := klaviyotest.NewServer(t, klaviyotest.Options{Seed: 15})
	c := klaviyo.New()
	for _, tc := range []struct {
		req   connector.PushRequest
		field string
	}{
		{connector.PushRequest{Action: "tag", Destination: "x"}, "action"},
		{connector.PushRequest{Action: klaviyo.ActionAddToList, Destination: "  "}, "destination"},
		{connector.PushRequest{Action: klaviyo.ActionAddToList, Destination: `a"b'c`}, "destination"},
		{connector.PushRequest{Action: klaviyo.ActionAddToList, Destination: "x", Add: make([]connector.Member, connector.MaxPushBatch+1)}, "add"},
	} {
		_, err := c.Push(context.Background(), srv.Connection(), tc.req)
		var fe *omnify.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("%+v: %v, want a field error on %q", tc.req.Destination, err, tc.field)
		}
	}
}
