package mongo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store/mongo"
)

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name     string
		uri, db  string
		wantKind error
	}{
		{"no database name", ferretURI, "", omnify.ErrInvalid},
		{"unreachable server", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200", "x", omnify.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := mongo.Open(t.Context(), tc.uri, tc.db, mongo.Options{ConnectTimeout: 2 * time.Second})
			if err == nil {
				_ = db.Close()
				t.Fatal("open succeeded")
			}
			if !errors.Is(err, tc.wantKind) {
				t.Fatalf("got %v, want %v", err, tc.wantKind)
			}
		})
	}
}

// TestMigrateTwice checks that creating the indexes again, as every start-up
// does, succeeds and that the unique email index holds afterwards.
func TestMigrateTwice(t *testing.T) {
	db := openDB(t, ferretURI, "omnify_migrate_twice")
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = db.Close()
	})
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.CreateUser(t.Context(), &omnify.User{Email: "a@example.com"}))
	err := db.CreateUser(t.Context(), &omnify.User{Email: "a@example.com"})
	if !errors.Is(err, omnify.ErrConflict) {
		t.Fatalf("same email twice: got %v, want ErrConflict", err)
	}
}
