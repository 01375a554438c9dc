package storetest

import (
	"errors"
	"fmt"
	"sort"
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var audienceTests = []suiteTest{
	{"Audience/RecordAndList", testAudienceRecordAndList},
	{"Audience/Idempotent", testAudienceIdempotent},
	{"Audience/Errors", testAudienceErrors},
	{"Audience/Separate", testAudienceSeparate},
	{"Audience/GoneWithConnection", testAudienceGoneWithConnection},
}

func customerIDs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%04d", prefix, i)
	}
	return out
}

func audienceMembers(t *testing.T, s store.Store, org, conn, dest string) []string {
	t.Helper()
	got, _ := walk(t, 1000, func(p store.Page) ([]string, string, error) {
		return s.ListAudienceMembers(t.Context(), org, conn, dest, p)
	})
	return got
}

func testAudienceRecordAndList(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustConnection(t, s, "org-1", "conn-1", t0)
	all := customerIDs("cus", 250)
	for start := 0; start < len(all); start += 100 {
		ch := store.AudienceChange{ConnectionID: "conn-1", Destination: "At risk", DestinationID: "list-9",
			Added: all[start:min(start+100, len(all))], At: at(0)}
		must(t, s.RecordAudienceChange(ctx, "org-1", ch), "record batch")
	}
	got, pages := walk(t, 60, func(p store.Page) ([]string, string, error) {
		return s.ListAudienceMembers(ctx, "org-1", "conn-1", "At risk", p)
	})
	wantPages(t, pages, 5)
	assertEqual(t, got, all, "members in ID order")

	// Removing present and absent members; an empty vendor ID keeps the
	// stored one.
	ch := store.AudienceChange{ConnectionID: "conn-1", Destination: "At risk",
		Removed: append(append([]string{}, all[:10]...), "never-added"), Added: []string{"cus-new"}, At: at(3600e9)}
	must(t, s.RecordAudienceChange(ctx, "org-1", ch), "record removal")
	want := append(append([]string{}, all[10:]...), "cus-new")
	sort.Strings(want)
	assertEqual(t, audienceMembers(t, s, "org-1", "conn-1", "At risk"), want, "members after removal")
	a, err := s.GetAudience(ctx, "org-1", "conn-1", "At risk")
	must(t, err, "get audience")
	assertEqual(t, a, &store.Audience{OrgID: "org-1", ConnectionID: "conn-1", Destination: "At risk",
		DestinationID: "list-9", UpdatedAt: at(3600e9)}, "audience")
}

func testAudienceIdempotent(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustConnection(t, s, "org-1", "conn-1", t0)
	ch := store.AudienceChange{ConnectionID: "conn-1", Destination: "vip", DestinationID: "a1",
		Added: customerIDs("cus", 5), Removed: []string{"gone"}, At: at(0)}
	for range 3 {
		must(t, s.RecordAudienceChange(ctx, "org-1", ch), "record the same batch again")
	}
	assertEqual(t, audienceMembers(t, s, "org-1", "conn-1", "vip"), customerIDs("cus", 5), "members once each")

	// A customer both added and removed in one batch ends up removed.
	both := store.AudienceChange{ConnectionID: "conn-1", Destination: "vip", Added: []string{"cus-0000", "cus-x"},
		Removed: []string{"cus-0000"}, At: at(1)}
	must(t, s.RecordAudienceChange(ctx, "org-1", both), "add and remove")
	assertEqual(t, audienceMembers(t, s, "org-1", "conn-1", "vip"),
		[]string{"cus-0001", "cus-0002", "cus-0003", "cus-0004", "cus-x"}, "members after add and remove")

	// A new vendor ID replaces the old one.
	must(t, s.RecordAudienceChange(ctx, "org-1", store.AudienceChange{ConnectionID: "conn-1", Destination: "vip",
		DestinationID: "a2", At: at(2)}), "new vendor id")
	a, err := s.GetAudience(ctx, "org-1", "conn-1", "vip")
	must(t, err, "get audience")
	if a.DestinationID != "a2" {
		t.Fatalf("destination ID = %q, want a2", a.DestinationID)
	}
}

func testAudienceErrors(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustConnection(t, s, "org-1", "conn-1", t0)
	for _, tt := range []struct {
		name string
		ch   store.AudienceChange
		kind error
	}{
		{"no connection", store.AudienceChange{Destination: "d", Added: []string{"c"}}, omnify.ErrInvalid},
		{"no destination", store.AudienceChange{ConnectionID: "conn-1", Added: []string{"c"}}, omnify.ErrInvalid},
		{"empty added ID", store.AudienceChange{ConnectionID: "conn-1", Destination: "d", Added: []string{""}}, omnify.ErrInvalid},
		{"empty removed ID", store.AudienceChange{ConnectionID: "conn-1", Destination: "d", Removed: []string{""}}, omnify.ErrInvalid},
		{"unknown connection", store.AudienceChange{ConnectionID: "conn-x", Destination: "d", Added: []string{"c"}}, omnify.ErrNotFound},
	} {
		wantErr(t, s.RecordAudienceChange(ctx, "org-1", tt.ch), tt.kind, tt.name)
	}
	_, err := s.GetAudience(ctx, "org-1", "conn-1", "d")
	wantErr(t, err, omnify.ErrNotFound, "get an audience never pushed")
	ms, next, err := s.ListAudienceMembers(ctx, "org-1", "conn-1", "d", store.Page{})
	wantEmpty(t, ms, next, err, "members of an audience never pushed")
	_, _, err = s.ListAudienceMembers(ctx, "org-1", "conn-1", "d", store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "malformed cursor")
}

func testAudienceSeparate(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustConnection(t, s, "org-1", "conn-1", t0)
	mustConnection(t, s, "org-1", "conn-2", t0)
	for _, k := range []struct{ conn, dest, id string }{{"conn-1", "a", "x"}, {"conn-1", "b", "y"}, {"conn-2", "a", "z"}} {
		ch := store.AudienceChange{ConnectionID: k.conn, Destination: k.dest, DestinationID: k.id, Added: []string{k.id}}
		must(t, s.RecordAudienceChange(ctx, "org-1", ch), "record "+k.conn+"/"+k.dest)
	}
	for _, k := range []struct{ conn, dest, id string }{{"conn-1", "a", "x"}, {"conn-1", "b", "y"}, {"conn-2", "a", "z"}} {
		assertEqual(t, audienceMembers(t, s, "org-1", k.conn, k.dest), []string{k.id}, k.conn+"/"+k.dest)
	}
}

func testIsolationAudiences(t *testing.T, s store.Store) {
	ctx := t.Context()
	twoOrgs(t, s)
	mustConnection(t, s, "org-a", "conn-a", t0)
	ch := store.AudienceChange{ConnectionID: "conn-a", Destination: "vip", DestinationID: "list-a",
		Added: []string{"cus-1", "cus-2"}, At: at(0)}
	must(t, s.RecordAudienceChange(ctx, "org-a", ch), "record org-a")

	_, err := s.GetAudience(ctx, "org-b", "conn-a", "vip")
	wantErr(t, err, omnify.ErrNotFound, "get audience")
	ms, next, err := s.ListAudienceMembers(ctx, "org-b", "conn-a", "vip", store.Page{})
	wantEmpty(t, ms, next, err, "list audience members")
	hijack := store.AudienceChange{ConnectionID: "conn-a", Destination: "vip", DestinationID: "evil",
		Removed: []string{"cus-1"}, Added: []string{"cus-evil"}}
	wantErr(t, s.RecordAudienceChange(ctx, "org-b", hijack), omnify.ErrNotFound, "change another org's audience")

	assertEqual(t, audienceMembers(t, s, "org-a", "conn-a", "vip"), []string{"cus-1", "cus-2"}, "org-a members untouched")
	a, err := s.GetAudience(ctx, "org-a", "conn-a", "vip")
	must(t, err, "get org-a audience")
	if a.DestinationID != "list-a" {
		t.Fatalf("org-a destination ID = %q, want list-a", a.DestinationID)
	}
}

// testAudienceGoneWithConnection: deleting a connection deletes what was
// pushed through it, so a new connection to the same account starts from
// an empty audience instead of "removing" people it never added.
func testAudienceGoneWithConnection(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustConnection(t, s, "org-1", "conn-1", t0)
	mustConnection(t, s, "org-1", "conn-2", t0)
	for _, conn := range []string{"conn-1", "conn-2"} {
		must(t, s.RecordAudienceChange(ctx, "org-1", store.AudienceChange{ConnectionID: conn, Destination: "VIP",
			DestinationID: "list-1", Added: customerIDs("cus", 3), At: at(0)}), "record")
	}
	must(t, s.DeleteConnection(ctx, "org-1", "conn-1"), "delete connection")
	if _, err := s.GetAudience(ctx, "org-1", "conn-1", "VIP"); !errors.Is(err, omnify.ErrNotFound) {
		t.Fatalf("audience of a deleted connection: %v, want not found", err)
	}
	if got := audienceMembers(t, s, "org-1", "conn-1", "VIP"); len(got) != 0 {
		t.Fatalf("members of a deleted connection's audience: %v", got)
	}
	assertEqual(t, audienceMembers(t, s, "org-1", "conn-2", "VIP"), customerIDs("cus", 3), "other connection's members")
}
