package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var accountTests = []suiteTest{
	{"Org/CRUD", testOrgCRUD},
	{"Org/AssignsIDAndTime", testOrgDefaults},
	{"Org/Branding", testOrgBranding},
	{"User/CRUD", testUserCRUD},
	{"User/Conflicts", testUserConflicts},
	{"Account/AllOrNothing", testCreateAccount},
	{"Member/CRUD", testMemberCRUD},
	{"Member/Pagination", testMemberPagination},
	{"Member/LastOwnerGuard", testLastOwnerGuard},
	{"Member/ConcurrentDemotion", testConcurrentDemotion},
}

// mustOrg creates an org with the given ID.
func mustOrg(t *testing.T, s store.Store, id string) *omnify.Org {
	t.Helper()
	o := &omnify.Org{ID: id, Name: "Org " + id, CreatedAt: t0}
	must(t, s.CreateOrg(t.Context(), o), "create org "+id)
	return o
}

// mustUser creates a user with the given ID and a derived email.
func mustUser(t *testing.T, s store.Store, id string) *omnify.User {
	t.Helper()
	u := &omnify.User{ID: id, Email: id + "@example.com", PasswordHash: "$argon2id$v=19$" + id, CreatedAt: t0}
	must(t, s.CreateUser(t.Context(), u), "create user "+id)
	return u
}

func mustMember(t *testing.T, s store.Store, org, user string, role omnify.Role, joined time.Time) omnify.Membership {
	t.Helper()
	m := omnify.Membership{OrgID: org, UserID: user, Role: role, CreatedAt: joined}
	must(t, s.AddMember(t.Context(), &m), "add member "+user)
	return m
}

func testOrgCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	o := mustOrg(t, s, "org-1")
	got, err := s.GetOrg(ctx, "org-1")
	must(t, err, "get org")
	assertEqual(t, got, o, "org")

	o.Name = "Renamed"
	must(t, s.UpdateOrg(ctx, o), "update org")
	got, err = s.GetOrg(ctx, "org-1")
	must(t, err, "get org")
	assertEqual(t, got, o, "renamed org")

	wantErr(t, s.CreateOrg(ctx, &omnify.Org{ID: "org-1", Name: "dup", CreatedAt: t0}), omnify.ErrConflict, "duplicate org ID")
	_, err = s.GetOrg(ctx, "missing")
	wantErr(t, err, omnify.ErrNotFound, "get missing org")
	wantErr(t, s.UpdateOrg(ctx, &omnify.Org{ID: "missing", Name: "x"}), omnify.ErrNotFound, "update missing org")
}

// testOrgBranding checks branding round-trips through create and update,
// can be cleared again, and stays with its org.
func testOrgBranding(t *testing.T, s store.Store) {
	ctx := t.Context()
	o := mustOrg(t, s, "org-1")
	other := mustOrg(t, s, "org-2")
	o.Branding = omnify.Branding{DisplayName: "Acme Coffee", PrimaryColor: "#1f4e79", LogoURL: "data:image/png;base64,iVBORw0KGgo="}
	must(t, s.UpdateOrg(ctx, o), "set branding")
	got, err := s.GetOrg(ctx, o.ID)
	must(t, err, "get branded org")
	assertEqual(t, got, o, "branded org")
	got, err = s.GetOrg(ctx, other.ID)
	must(t, err, "get other org")
	assertEqual(t, got, other, "other org keeps default branding")

	o.Branding = omnify.Branding{}
	must(t, s.UpdateOrg(ctx, o), "clear branding")
	got, err = s.GetOrg(ctx, o.ID)
	must(t, err, "get cleared org")
	assertEqual(t, got, o, "cleared branding")

	c := &omnify.Org{ID: "org-3", Name: "Created branded", CreatedAt: t0, Branding: omnify.Branding{PrimaryColor: "#004d40"}}
	must(t, s.CreateOrg(ctx, c), "create branded org")
	got, err = s.GetOrg(ctx, c.ID)
	must(t, err, "get created branded org")
	assertEqual(t, got, c, "org created with branding")
}

func testOrgDefaults(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, b := &omnify.Org{Name: "A"}, &omnify.Org{Name: "B"}
	must(t, s.CreateOrg(ctx, a), "create org without ID")
	must(t, s.CreateOrg(ctx, b), "create org without ID")
	if a.ID == "" || a.ID == b.ID {
		t.Fatalf("assigned IDs %q and %q, want distinct non-empty", a.ID, b.ID)
	}
	if a.CreatedAt.IsZero() {
		t.Fatal("CreatedAt not assigned")
	}
	got, err := s.GetOrg(ctx, a.ID)
	must(t, err, "get org")
	assertEqual(t, got, a, "org with assigned ID")
}

func testUserCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustUser(t, s, "user-1")
	got, err := s.GetUser(ctx, u.ID)
	must(t, err, "get user")
	assertEqual(t, got, u, "user by ID")
	got, err = s.GetUserByEmail(ctx, u.Email)
	must(t, err, "get user by email")
	assertEqual(t, got, u, "user by email")

	_, err = s.GetUser(ctx, "missing")
	wantErr(t, err, omnify.ErrNotFound, "get missing user")
	_, err = s.GetUserByEmail(ctx, "nobody@example.com")
	wantErr(t, err, omnify.ErrNotFound, "get missing email")

	n := &omnify.User{Email: "new@example.com", PasswordHash: "h"}
	must(t, s.CreateUser(ctx, n), "create user without ID")
	if n.ID == "" || n.CreatedAt.IsZero() {
		t.Fatalf("create did not assign ID and time: %+v", n)
	}
}

func testUserConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := mustUser(t, s, "user-1")
	err := s.CreateUser(ctx, &omnify.User{ID: "user-2", Email: u.Email, PasswordHash: "h", CreatedAt: t0})
	wantErr(t, err, omnify.ErrConflict, "same email twice")
	err = s.CreateUser(ctx, &omnify.User{ID: u.ID, Email: "other@example.com", PasswordHash: "h", CreatedAt: t0})
	wantErr(t, err, omnify.ErrConflict, "same ID twice")
	_, err = s.GetUserByEmail(ctx, "other@example.com")
	wantErr(t, err, omnify.ErrNotFound, "rejected user stored")
}

func testCreateAccount(t *testing.T, s store.Store) {
	ctx := t.Context()
	u := &omnify.User{ID: "user-1", Email: "ana@example.com", PasswordHash: "h", CreatedAt: t0}
	o := &omnify.Org{ID: "org-1", Name: "Acme", CreatedAt: t0}
	must(t, s.CreateAccount(ctx, u, o), "create account")
	m, err := s.GetMembership(ctx, "org-1", "user-1")
	must(t, err, "owner membership")
	if m.Role != omnify.RoleOwner {
		t.Fatalf("account creator is %s, want owner", m.Role)
	}
	// A used email leaves neither the second user nor its org behind.
	u2 := &omnify.User{ID: "user-2", Email: "ana@example.com", PasswordHash: "h", CreatedAt: t0}
	o2 := &omnify.Org{ID: "org-2", Name: "Other", CreatedAt: t0}
	wantErr(t, s.CreateAccount(ctx, u2, o2), omnify.ErrConflict, "same email twice")
	_, err = s.GetOrg(ctx, "org-2")
	wantErr(t, err, omnify.ErrNotFound, "org of a rejected account")
	_, err = s.GetUser(ctx, "user-2")
	wantErr(t, err, omnify.ErrNotFound, "user of a rejected account")
	// A used org ID leaves no user behind.
	u3 := &omnify.User{ID: "user-3", Email: "bo@example.com", PasswordHash: "h", CreatedAt: t0}
	wantErr(t, s.CreateAccount(ctx, u3, &omnify.Org{ID: "org-1", Name: "Dup", CreatedAt: t0}), omnify.ErrConflict, "same org ID twice")
	_, err = s.GetUserByEmail(ctx, "bo@example.com")
	wantErr(t, err, omnify.ErrNotFound, "user of an account whose org failed")
}

func testMemberCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	mustOrg(t, s, "org-2")
	mustUser(t, s, "user-1")
	m1 := mustMember(t, s, "org-1", "user-1", omnify.RoleOwner, at(0))
	m2 := mustMember(t, s, "org-2", "user-1", omnify.RoleAnalyst, at(time.Hour))

	got, err := s.GetMembership(ctx, "org-1", "user-1")
	must(t, err, "get membership")
	assertEqual(t, got, m1, "membership")
	all, err := s.ListUserMemberships(ctx, "user-1")
	must(t, err, "list user memberships")
	assertEqual(t, all, []omnify.Membership{m1, m2}, "user memberships")

	wantErr(t, s.AddMember(ctx, &omnify.Membership{OrgID: "org-1", UserID: "user-1", Role: omnify.RoleViewer, CreatedAt: t0}),
		omnify.ErrConflict, "same member twice")
	mustUser(t, s, "user-2")
	wantErr(t, s.AddMember(ctx, &omnify.Membership{OrgID: "org-1", UserID: "user-2", Role: "superuser", CreatedAt: t0}),
		omnify.ErrInvalid, "unknown role")
	_, err = s.GetMembership(ctx, "org-1", "user-2")
	wantErr(t, err, omnify.ErrNotFound, "missing membership")

	mustMember(t, s, "org-1", "user-2", omnify.RoleViewer, at(time.Minute))
	must(t, s.SetRole(ctx, "org-1", "user-2", omnify.RoleAdmin), "promote")
	got, err = s.GetMembership(ctx, "org-1", "user-2")
	must(t, err, "get promoted")
	if got.Role != omnify.RoleAdmin {
		t.Fatalf("role after SetRole = %q", got.Role)
	}
	wantErr(t, s.SetRole(ctx, "org-1", "user-2", "root"), omnify.ErrInvalid, "set unknown role")
	must(t, s.RemoveMember(ctx, "org-1", "user-2"), "remove member")
	_, err = s.GetMembership(ctx, "org-1", "user-2")
	wantErr(t, err, omnify.ErrNotFound, "removed member")
	wantErr(t, s.RemoveMember(ctx, "org-1", "user-2"), omnify.ErrNotFound, "remove twice")
	wantErr(t, s.SetRole(ctx, "org-1", "user-2", omnify.RoleViewer), omnify.ErrNotFound, "set role of non-member")
}

func testMemberPagination(t *testing.T, s store.Store) {
	mustOrg(t, s, "org-1")
	var want []omnify.Membership
	for i := range 9 {
		id := fmt.Sprintf("user-%d", i)
		mustUser(t, s, id)
		// Triples share a join time, so pages end inside a tie.
		want = append(want, mustMember(t, s, "org-1", id, omnify.RoleViewer, at(time.Duration(i/3)*time.Minute)))
	}
	got, pages := walk(t, 2, func(p store.Page) ([]omnify.Membership, string, error) {
		return s.ListMembers(t.Context(), "org-1", p)
	})
	wantPages(t, pages, 3)
	wantSameSet(t, ids(got, memberID), ids(want, memberID), "members")
	for i := 1; i < len(got); i++ {
		if got[i].CreatedAt.Before(got[i-1].CreatedAt) {
			t.Fatalf("members not ordered by join time at %d", i)
		}
	}
	_, _, err := s.ListMembers(t.Context(), "org-1", store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

func memberID(m omnify.Membership) string { return m.OrgID + "/" + m.UserID }

func testLastOwnerGuard(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	for _, u := range []string{"owner-1", "owner-2", "admin"} {
		mustUser(t, s, u)
	}
	mustMember(t, s, "org-1", "owner-1", omnify.RoleOwner, t0)
	mustMember(t, s, "org-1", "admin", omnify.RoleAdmin, t0)

	wantErr(t, s.SetRole(ctx, "org-1", "owner-1", omnify.RoleAdmin), omnify.ErrConflict, "demote last owner")
	wantErr(t, s.RemoveMember(ctx, "org-1", "owner-1"), omnify.ErrConflict, "remove last owner")
	wantRole(t, s, "org-1", "owner-1", omnify.RoleOwner)
	must(t, s.SetRole(ctx, "org-1", "owner-1", omnify.RoleOwner), "keep owner an owner")

	mustMember(t, s, "org-1", "owner-2", omnify.RoleOwner, at(time.Minute))
	must(t, s.SetRole(ctx, "org-1", "owner-1", omnify.RoleAdmin), "demote one of two owners")
	wantErr(t, s.RemoveMember(ctx, "org-1", "owner-2"), omnify.ErrConflict, "remove the new last owner")
	must(t, s.SetRole(ctx, "org-1", "admin", omnify.RoleOwner), "promote admin")
	must(t, s.RemoveMember(ctx, "org-1", "owner-2"), "remove one of two owners")
	wantRole(t, s, "org-1", "admin", omnify.RoleOwner)
}

func wantRole(t *testing.T, s store.Store, org, user string, role omnify.Role) {
	t.Helper()
	m, err := s.GetMembership(t.Context(), org, user)
	must(t, err, "get membership")
	if m.Role != role {
		t.Fatalf("%s role = %q, want %q", user, m.Role, role)
	}
}

// testConcurrentDemotion races two owners demoting each other: exactly one
// may win, or the org would be left without an owner.
func testConcurrentDemotion(t *testing.T, s store.Store) {
	for round := range 5 {
		org := fmt.Sprintf("org-%d", round)
		mustOrg(t, s, org)
		users := []string{org + "-a", org + "-b"}
		for _, u := range users {
			mustUser(t, s, u)
			mustMember(t, s, org, u, omnify.RoleOwner, t0)
		}
		errs := make([]error, len(users))
		var wg sync.WaitGroup
		for i, u := range users {
			wg.Go(func() {
				if round%2 == 0 {
					errs[i] = s.SetRole(t.Context(), org, u, omnify.RoleViewer)
				} else {
					errs[i] = s.RemoveMember(t.Context(), org, u)
				}
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				wantErr(t, err, omnify.ErrConflict, "losing demotion")
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d demotions succeeded, want 1", round, ok)
		}
	}
}
