package gohighlevel_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
)

func push(t *testing.T, srv *gohighleveltest.Server, req connector.PushRequest) connector.PushResult {
	t.Helper()
	req.Action = gohighlevel.ActionAddTag
	res, err := gohighlevel.New().Push(t.Context(), srv.Connection(), req)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	return res
}

// Members known by contact ID are tagged in bulk batches of 100; members
// known only by email are found or created; a repeated push changes
// nothing; removal takes the tag off.
func TestPushAddRemove(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 300, Seed: 11, Burst: 1 << 20})
	contacts := srv.Contacts()
	var add []connector.Member
	var want []string
	for i, c := range contacts[:230] {
		m := connector.Member{CustomerID: fmt.Sprintf("cust-%d", i), Email: strings.ToLower(c.Email), ExternalID: c.ID}
		if i%10 == 0 {
			m.ExternalID = "" // found by email instead
		}
		add, want = append(add, m), append(want, strings.ToLower(c.Email))
	}
	for i := range 20 {
		email := fmt.Sprintf("new.person.%d@example.org", i)
		add, want = append(add, connector.Member{CustomerID: fmt.Sprintf("new-%d", i), Email: email, FirstName: "New"}), append(want, email)
	}
	slices.Sort(want)
	res := push(t, srv, connector.PushRequest{Destination: "At-Risk VIP", Add: add})
	if res.Added != 250 || len(res.Failed) != 0 || res.DestinationID != "at-risk vip" {
		t.Fatalf("first push: %+v", res)
	}
	if got := srv.Audience("at-risk vip"); !slices.Equal(got, want) {
		t.Fatalf("audience holds %d, want %d", len(got), len(want))
	}
	if n := srv.Stats().BulkTags; n != 3 {
		t.Errorf("%d bulk tag calls for 250 contacts, want 3 of at most %d", n, gohighlevel.BulkTagBatch)
	}
	again := push(t, srv, connector.PushRequest{Destination: "At-Risk VIP", Add: add})
	if again.Added != 250 || len(again.Failed) != 0 || len(srv.Audience("at-risk vip")) != 250 {
		t.Fatalf("repeated push: %+v, audience %d", again, len(srv.Audience("at-risk vip")))
	}
	remove := append(slices.Clone(add[:100]), connector.Member{CustomerID: "ghost", Email: "nobody@example.net"})
	res = push(t, srv, connector.PushRequest{Destination: "at-risk vip", Remove: remove})
	if res.Removed != 101 || len(res.Failed) != 0 {
		t.Fatalf("removal: %+v", res)
	}
	if got := srv.Audience("at-risk vip"); len(got) != 150 || slices.Contains(got, add[0].Email) {
		t.Fatalf("after removal the audience holds %d", len(got))
	}
}

// Members HighLevel refuses become failures naming the customer; the rest
// of the batch goes through.
func TestPushPerMemberFailures(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 10, Seed: 12})
	ok := srv.Contacts()[0]
	res := push(t, srv, connector.PushRequest{Destination: "vip", Add: []connector.Member{
		{CustomerID: "ok", Email: ok.Email, ExternalID: ok.ID},
		{CustomerID: "stale-id", ExternalID: "c0000000000000099999"},
		{CustomerID: "bad-email", Email: "not-an-email"},
		{CustomerID: "nothing"},
	}})
	if res.Added != 1 || len(res.Failed) != 3 {
		t.Fatalf("%+v", res)
	}
	for _, f := range res.Failed {
		if f.CustomerID == "" || !strings.HasPrefix(f.Reason, "HighLevel: ") {
			t.Errorf("failure %+v", f)
		}
	}
}

func TestPushErrors(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 10, Seed: 13, Burst: 2})
	c := gohighlevel.New()
	m := []connector.Member{{CustomerID: "a", Email: "a@example.com"}, {CustomerID: "b", Email: "b@example.com"}, {CustomerID: "c", Email: "c@example.com"}}
	_, err := c.Push(t.Context(), srv.Connection(), connector.PushRequest{Action: gohighlevel.ActionAddTag, Destination: "vip", Add: m})
	var bo *connector.BackOffError
	if !errors.As(err, &bo) || bo.Wait <= 0 {
		t.Errorf("over the burst limit: %v, want a back-off", err)
	}
	for _, req := range []connector.PushRequest{
		{Action: "add_to_list", Destination: "vip"},
		{Action: gohighlevel.ActionAddTag, Destination: "  "},
	} {
		if _, err := c.Push(t.Context(), srv.Connection(), req); !errors.Is(err, connector.ErrInvalidConfig) {
			t.Errorf("%+v: %v, want ErrInvalidConfig", req, err)
		}
	}
	bad := srv.Connection()
	bad.Credentials["access_token"] = "pit-refused"
	if _, err := c.Push(t.Context(), bad, connector.PushRequest{Action: gohighlevel.ActionAddTag, Destination: "vip", Add: m[:1]}); !errors.Is(err, connector.ErrAuth) {
		t.Errorf("refused token: %v", err)
	}
}
