package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var tokenTests = []suiteTest{
	{"Token/UseOnce", testTokenUseOnce},
	{"Token/Conflicts", testTokenConflicts},
	{"Token/RevokeFamily", testRevokeFamily},
	{"Token/ConcurrentUse", testConcurrentTokenUse},
}

func mustToken(t *testing.T, s store.Store, id, family string) *omnify.RefreshToken {
	t.Helper()
	tok := &omnify.RefreshToken{
		ID: id, FamilyID: family, UserID: "user-1", OrgID: "org-1",
		TokenHash: "hash-" + id, CreatedAt: t0, ExpiresAt: at(30 * 24 * time.Hour),
	}
	must(t, s.CreateRefreshToken(t.Context(), tok), "create token "+id)
	return tok
}

func tokenFixture(t *testing.T, s store.Store) {
	t.Helper()
	mustOrg(t, s, "org-1")
	mustUser(t, s, "user-1")
}

func testTokenUseOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	tokenFixture(t, s)
	tok := mustToken(t, s, "tok-1", "fam-1")
	usedAt := at(time.Minute)

	got, err := s.UseRefreshToken(ctx, tok.TokenHash, usedAt)
	must(t, err, "first use")
	tok.UsedAt = &usedAt
	assertEqual(t, got, tok, "used token")

	got, err = s.UseRefreshToken(ctx, tok.TokenHash, at(2*time.Minute))
	wantErr(t, err, omnify.ErrConflict, "second use")
	if got == nil {
		t.Fatal("second use returned no token; the caller needs its family")
	}
	assertEqual(t, got, tok, "reused token keeps its first use time")

	_, err = s.UseRefreshToken(ctx, "hash-unknown", usedAt)
	wantErr(t, err, omnify.ErrNotFound, "unknown hash")
}

func testTokenConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	tokenFixture(t, s)
	tok := mustToken(t, s, "tok-1", "fam-1")
	dup := *tok
	dup.ID = "tok-2"
	wantErr(t, s.CreateRefreshToken(ctx, &dup), omnify.ErrConflict, "same hash twice")
	dup = *tok
	dup.TokenHash = "hash-other"
	wantErr(t, s.CreateRefreshToken(ctx, &dup), omnify.ErrConflict, "same ID twice")
	_, err := s.UseRefreshToken(ctx, "hash-other", t0)
	wantErr(t, err, omnify.ErrNotFound, "rejected token stored")
}

func testRevokeFamily(t *testing.T, s store.Store) {
	ctx := t.Context()
	tokenFixture(t, s)
	first := mustToken(t, s, "tok-1", "fam-1")
	second := mustToken(t, s, "tok-2", "fam-1")
	other := mustToken(t, s, "tok-3", "fam-2")
	_, err := s.UseRefreshToken(ctx, first.TokenHash, at(time.Minute))
	must(t, err, "rotate")

	revokedAt := at(2 * time.Minute)
	must(t, s.RevokeFamily(ctx, "fam-1", revokedAt), "revoke family")
	got, err := s.UseRefreshToken(ctx, second.TokenHash, at(3*time.Minute))
	wantErr(t, err, omnify.ErrConflict, "use revoked token")
	if got == nil || got.RevokedAt == nil || got.UsedAt != nil {
		t.Fatalf("revoked token = %+v, want RevokedAt set and UsedAt nil", got)
	}
	assertEqual(t, *got.RevokedAt, revokedAt, "revoked at")

	_, err = s.UseRefreshToken(ctx, other.TokenHash, at(3*time.Minute))
	must(t, err, "token of another family still works")
	must(t, s.RevokeFamily(ctx, "fam-unknown", revokedAt), "revoke unknown family")
}

func testConcurrentTokenUse(t *testing.T, s store.Store) {
	tokenFixture(t, s)
	for round := range 4 {
		tok := mustToken(t, s, fmt.Sprintf("tok-%d", round), "fam-1")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				_, errs[i] = s.UseRefreshToken(t.Context(), tok.TokenHash, at(time.Duration(i)*time.Second))
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, omnify.ErrConflict):
				t.Fatalf("concurrent use: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: token used successfully %d times, want once", round, ok)
		}
	}
}
