package mongo_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
)

// TestDeadWinnersGuardIsTakenOver: a process killed between winning the
// guard of a state and leaving that state must not freeze the record. A
// fresh guard still wins (its holder may be about to write); one older
// than a minute is taken over.
func TestDeadWinnersGuardIsTakenOver(t *testing.T) {
	db := openDB(t, ferretURI, fmt.Sprintf("omnify_guard_%d", time.Now().UnixNano()%1e9))
	t.Cleanup(func() { _ = db.Drop(t.Context()); _ = db.Close() })
	ctx := t.Context()
	now := time.Now()
	if err := db.CreateOrg(ctx, &omnify.Org{ID: "org-1", Name: "Acme", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	conn := &omnify.Connection{ID: "conn-1", OrgID: "org-1", Platform: "shopify", Name: "Shop",
		Health: omnify.HealthHealthy, CredentialsCiphertext: []byte{1}, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateConnection(ctx, conn); err != nil {
		t.Fatal(err)
	}
	st := &omnify.StreamState{OrgID: "org-1", ConnectionID: "conn-1", Stream: "customers", State: []byte(`{"a":1}`)}
	if err := db.SaveStreamState(ctx, st, 0); err != nil {
		t.Fatal(err)
	}

	t.Run("stream state", func(t *testing.T) {
		if err := db.PlantStreamGuard(ctx, "org-1", "conn-1", "customers", 1, time.Now()); err != nil {
			t.Fatal(err)
		}
		next := &omnify.StreamState{OrgID: "org-1", ConnectionID: "conn-1", Stream: "customers", State: []byte(`{"a":2}`)}
		if err := db.SaveStreamState(ctx, next, 1); !errors.Is(err, omnify.ErrConflict) {
			t.Fatalf("save past a fresh guard: %v, want a conflict", err)
		}
		if err := db.PlantStreamGuard(ctx, "org-1", "conn-1", "customers", 1, time.Now().Add(-2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveStreamState(ctx, next, 1); err != nil {
			t.Fatalf("save past a dead writer's guard: %v", err)
		}
		if next.Version != 2 {
			t.Errorf("version %d, want 2", next.Version)
		}
	})

	t.Run("job claim", func(t *testing.T) {
		j, err := db.EnqueueJob(ctx, &omnify.Job{OrgID: "org-1", Kind: "sync", Payload: []byte(`{}`), RunAt: now.Add(-time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PlantJobGuard(ctx, j.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got, err := db.ClaimJob(ctx, []string{"sync"}, "w1", now, time.Minute); err == nil {
			t.Fatalf("claimed %s past a fresh guard", got.ID)
		}
		if err := db.PlantJobGuard(ctx, j.ID, time.Now().Add(-2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, err := db.ClaimJob(ctx, []string{"sync"}, "w1", now, time.Minute)
		if err != nil || got.ID != j.ID || got.Status != omnify.JobRunning {
			t.Fatalf("claim past a dead claimer's guard: %+v, %v", got, err)
		}
	})
}
