package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
)

func pushServer(t *testing.T, contacts int) *hubspottest.Server {
	t.Helper()
	return hubspottest.NewServer(t, hubspottest.Options{Contacts: contacts, Seed: 21, IntervalMax: 1000000})
}

func push(t *testing.T, srv *hubspottest.Server, req connector.PushRequest) connector.PushResult {
	t.Helper()
	if req.Action == "" {
		req.Action = hubspot.ActionAddToList
	}
	res, err := hubspot.New().Push(context.Background(), srv.Connection(), req)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	return res
}

// newMembers are people HubSpot does not know yet.
func newMembers(n int, prefix string) []connector.Member {
	out := make([]connector.Member, n)
	for i := range out {
		out[i] = connector.Member{CustomerID: fmt.Sprintf("cust-%s-%d", prefix, i),
			Email: fmt.Sprintf("%s%d@shop.example.com", prefix, i), FirstName: "New", LastName: fmt.Sprint(i)}
	}
	return out
}

func emailsOf(ms []connector.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = strings.ToLower(m.Email)
	}
	slices.Sort(out)
	return out
}

func TestPushCreatesMissingListAndContacts(t *testing.T) {
	t.Parallel()
	srv := pushServer(t, 5)
	known, _ := srv.ContactID("") // no contact has an empty email
	if known != "" {
		t.Fatal("empty email matched a contact")
	}
	// Two known contacts (one by ID, one by email) and 250 new people:
	// lookups and creates run in HubSpot's batches of 100.
	id101 := "101"
	add := append(newMembers(250, "vip"), connector.Member{CustomerID: "c-101", ExternalID: id101})
	res := push(t, srv, connector.PushRequest{Destination: "VIP customers", Add: add})
	if res.DestinationID == "" || res.Added != 251 || len(res.Failed) != 0 {
		t.Fatalf("result %+v", res)
	}
	if srv.Lists() != 1 {
		t.Fatalf("%d lists, want the one created", srv.Lists())
	}
	got := srv.Audience("VIP customers")
	if len(got) != 251 || !slices.Equal(srv.Audience(res.DestinationID), got) {
		t.Fatalf("audience has %d members (by ID %d)", len(got), len(srv.Audience(res.DestinationID)))
	}
	if srv.Len(hubspottest.Contacts) != 255 {
		t.Errorf("%d contacts, want 5 + 250 created", srv.Len(hubspottest.Contacts))
	}
}

func TestPushAddRemoveIdempotent(t *testing.T) {
	t.Parallel()
	srv := pushServer(t, 0)
	people := newMembers(120, "p")
	req := connector.PushRequest{Destination: "Churn risk", Add: people}
	first := push(t, srv, req)
	again := push(t, srv, req)
	if first.DestinationID != again.DestinationID || again.Added != 120 || len(again.Failed) != 0 {
		t.Fatalf("repeat: first %+v, again %+v", first, again)
	}
	if srv.Len(hubspottest.Contacts) != 120 || srv.Lists() != 1 {
		t.Fatalf("repeat created more: %d contacts, %d lists", srv.Len(hubspottest.Contacts), srv.Lists())
	}
	// Remove 20 by email (no IDs known) plus someone HubSpot never knew.
	gone := append(slices.Clone(people[:20]), connector.Member{CustomerID: "x", Email: "stranger@shop.example.com"})
	res := push(t, srv, connector.PushRequest{Destination: first.DestinationID, Remove: gone})
	if res.Removed != 20 || len(res.Failed) != 0 {
		t.Fatalf("remove: %+v", res)
	}
	if got, want := srv.Audience("Churn risk"), emailsOf(people[20:]); !slices.Equal(got, want) {
		t.Fatalf("audience after remove: %d members, want %d", len(got), len(want))
	}
	if srv.Len(hubspottest.Contacts) != 120 {
		t.Errorf("removing a stranger created a contact")
	}
	res = push(t, srv, connector.PushRequest{Destination: first.DestinationID, Remove: gone})
	if len(res.Failed) != 0 || len(srv.Audience("Churn risk")) != 100 {
		t.Fatalf("repeated remove: %+v", res)
	}
}

func TestPushReportsMemberFailures(t *testing.T) {
	t.Parallel()
	srv := pushServer(t, 3)
	add := newMembers(3, "ok")
	add = append(add,
		connector.Member{CustomerID: "bad-email", Email: "not an email"},
		connector.Member{CustomerID: "unknown-id", ExternalID: "999999"},
		// Well formed, but HubSpot refuses the domain: the batch it is in
		// fails whole and is retried one by one.
		connector.Member{CustomerID: "refused", Email: "someone@shop.invalid"},
	)
	res := push(t, srv, connector.PushRequest{Destination: "Mixed", Add: add})
	var failed []string
	for _, f := range res.Failed {
		if f.Reason == "" {
			t.Errorf("failure of %s has no reason", f.CustomerID)
		}
		failed = append(failed, f.CustomerID)
	}
	slices.Sort(failed)
	for _, f := range res.Failed {
		if f.CustomerID == "refused" && !strings.Contains(f.Reason, "INVALID_EMAIL") {
			t.Errorf("refusal reason %q does not carry HubSpot's words", f.Reason)
		}
	}
	if !slices.Equal(failed, []string{"bad-email", "refused", "unknown-id"}) || res.Added != 3 {
		t.Fatalf("result %+v", res)
	}
	if got := srv.Audience("Mixed"); !slices.Equal(got, emailsOf(add[:3])) {
		t.Fatalf("audience %v", got)
	}
}

func TestPushErrors(t *testing.T) {
	t.Parallel()
	srv := pushServer(t, 3)
	dynamic := srv.AddList("Active list", "DYNAMIC")
	for _, tc := range []struct {
		name  string
		req   connector.PushRequest
		fault bool
		check func(error) bool
	}{
		{"wrong action", connector.PushRequest{Action: "tag", Destination: "x"}, false, func(err error) bool {
			var fe *omnify.FieldError
			return errors.As(err, &fe) && fe.Field == "action"
		}},
		{"no destination", connector.PushRequest{Action: hubspot.ActionAddToList}, false, func(err error) bool {
			var fe *omnify.FieldError
			return errors.As(err, &fe) && fe.Field == "destination"
		}},
		{"active list by name", connector.PushRequest{Action: hubspot.ActionAddToList, Destination: "Active list",
			Add: newMembers(1, "a")}, false, func(err error) bool { return errors.Is(err, connector.ErrPermanent) }},
		{"active list by id", connector.PushRequest{Action: hubspot.ActionAddToList, Destination: dynamic,
			Add: newMembers(1, "a")}, false, func(err error) bool { return errors.Is(err, connector.ErrPermanent) }},
		{"429", connector.PushRequest{Action: hubspot.ActionAddToList, Destination: "Later", Add: newMembers(1, "b")}, true,
			func(err error) bool {
				var bo *connector.BackOffError
				return errors.As(err, &bo) && bo.Wait > 0
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault {
				srv.Inject(hubspottest.Fault{Kind: hubspottest.Fault429}, 1)
			}
			_, err := hubspot.New().Push(context.Background(), srv.Connection(), tc.req)
			if !tc.check(err) {
				t.Fatalf("push error %v", err)
			}
		})
	}
	// The batch the 429 stopped goes through when repeated.
	res := push(t, srv, connector.PushRequest{Destination: "Later", Add: newMembers(1, "b")})
	if res.Added != 1 || len(srv.Audience("Later")) != 1 {
		t.Fatalf("repeat after 429: %+v", res)
	}
}

// raceTransport creates a contact at the fake just before the push's
// first batch create, as a form submission between lookup and create would.
type raceTransport struct {
	next  http.RoundTripper
	once  sync.Once
	apply func()
}

func (r *raceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/batch/create") {
		r.once.Do(r.apply)
	}
	return r.next.RoundTrip(req)
}

func TestPushContactCreatedMeanwhile(t *testing.T) {
	t.Parallel()
	srv := pushServer(t, 0)
	people := newMembers(5, "race")
	var raced string
	conn := srv.Connection()
	client := *conn.HTTP
	client.Transport = &raceTransport{next: srv.Client().Transport, apply: func() { raced = srv.AddContact(people[2].Email) }}
	conn.HTTP = &client
	res, err := hubspot.New().Push(context.Background(), conn, connector.PushRequest{Action: hubspot.ActionAddToList,
		Destination: "Raced", Add: people})
	if err != nil || res.Added != 5 || len(res.Failed) != 0 {
		t.Fatalf("push: %+v %v", res, err)
	}
	if got := srv.Audience("Raced"); !slices.Equal(got, emailsOf(people)) || srv.Len(hubspottest.Contacts) != 5 {
		t.Fatalf("audience %v, %d contacts", got, srv.Len(hubspottest.Contacts))
	}
	if id, _ := srv.ContactID(people[2].Email); id != raced {
		t.Fatalf("the raced contact was duplicated: %s vs %s", id, raced)
	}
}
