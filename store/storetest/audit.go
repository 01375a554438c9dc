package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var auditTests = []suiteTest{
	{"Audit/AppendAndList", testAuditAppendList},
	{"Audit/Filters", testAuditFilters},
	{"Audit/Conflicts", testAuditConflicts},
}

// auditFixture appends n events to org-1, every third by "user-b" with
// action "member.invite", pairs sharing a time.
func auditFixture(t *testing.T, s store.Store, n int) []omnify.AuditEvent {
	t.Helper()
	mustOrg(t, s, "org-1")
	var out []omnify.AuditEvent
	for i := range n {
		e := omnify.AuditEvent{
			ID: fmt.Sprintf("ev-%02d", i), OrgID: "org-1", ActorID: "user-a", Action: "auth.login",
			Target: "user:user-a", IP: "203.0.113.7", UserAgent: "test/1.0", RequestID: fmt.Sprintf("req-%d", i),
			Details:   map[string]string{"n": fmt.Sprint(i), "note": "ünïcode ✓"},
			CreatedAt: at(time.Duration(i/2) * time.Minute),
		}
		if i%3 == 0 {
			e.ActorID, e.Action, e.Details = "user-b", "member.invite", nil
		}
		must(t, s.AppendAudit(t.Context(), &e), "append audit")
		out = append(out, e)
	}
	return out
}

func listAudit(t *testing.T, s store.Store, f store.AuditFilter, limit int) ([]omnify.AuditEvent, int) {
	t.Helper()
	return walk(t, limit, func(p store.Page) ([]omnify.AuditEvent, string, error) {
		return s.ListAudit(t.Context(), "org-1", f, p)
	})
}

func testAuditAppendList(t *testing.T, s store.Store) {
	want := auditFixture(t, s, 11)
	got, pages := listAudit(t, s, store.AuditFilter{}, 3)
	wantPages(t, pages, 4)
	wantSameSet(t, ids(got, auditID), ids(want, auditID), "audit events")
	for i := 1; i < len(got); i++ {
		if got[i].CreatedAt.After(got[i-1].CreatedAt) {
			t.Fatalf("audit not newest first at %d", i)
		}
	}
	byID := map[string]omnify.AuditEvent{}
	for _, e := range got {
		byID[e.ID] = e
	}
	for _, w := range want {
		assertEqual(t, byID[w.ID], w, "event "+w.ID)
	}
	_, _, err := s.ListAudit(t.Context(), "org-1", store.AuditFilter{}, store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

func auditID(e omnify.AuditEvent) string { return e.ID }

func testAuditFilters(t *testing.T, s store.Store) {
	all := auditFixture(t, s, 12)
	tests := []struct {
		name string
		f    store.AuditFilter
		keep func(omnify.AuditEvent) bool
	}{
		{"action", store.AuditFilter{Action: "member.invite"}, func(e omnify.AuditEvent) bool { return e.Action == "member.invite" }},
		{"actor", store.AuditFilter{ActorID: "user-a"}, func(e omnify.AuditEvent) bool { return e.ActorID == "user-a" }},
		{"since inclusive", store.AuditFilter{Since: at(2 * time.Minute)}, func(e omnify.AuditEvent) bool {
			return !e.CreatedAt.Before(at(2 * time.Minute))
		}},
		{"until exclusive", store.AuditFilter{Until: at(2 * time.Minute)}, func(e omnify.AuditEvent) bool {
			return e.CreatedAt.Before(at(2 * time.Minute))
		}},
		{"combined", store.AuditFilter{ActorID: "user-a", Since: at(time.Minute), Until: at(4 * time.Minute)},
			func(e omnify.AuditEvent) bool {
				return e.ActorID == "user-a" && !e.CreatedAt.Before(at(time.Minute)) && e.CreatedAt.Before(at(4*time.Minute))
			}},
	}
	for _, tc := range tests {
		want := slices.DeleteFunc(slices.Clone(all), func(e omnify.AuditEvent) bool { return !tc.keep(e) })
		if len(want) == 0 || len(want) == len(all) {
			t.Fatalf("%s: fixture does not exercise the filter", tc.name)
		}
		got, _ := listAudit(t, s, tc.f, 2)
		wantSameSet(t, ids(got, auditID), ids(want, auditID), tc.name)
	}
}

func testAuditConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	evs := auditFixture(t, s, 1)
	dup := evs[0]
	wantErr(t, s.AppendAudit(ctx, &dup), omnify.ErrConflict, "same event ID twice")
	e := &omnify.AuditEvent{OrgID: "org-1", Action: "org.update"}
	must(t, s.AppendAudit(ctx, e), "append without ID")
	if e.ID == "" || e.CreatedAt.IsZero() {
		t.Fatalf("append did not assign ID and time: %+v", e)
	}
	got, _ := listAudit(t, s, store.AuditFilter{Action: "org.update"}, 10)
	assertEqual(t, got, []omnify.AuditEvent{*e}, "event with assigned ID")
}
