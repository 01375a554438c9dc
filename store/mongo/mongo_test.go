package mongo_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"

	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/mongo"
	"github.com/omnify-cloud/omnify/store/storetest"
)

// ferretURI is the URI of the FerretDB server TestMain embeds.
var ferretURI string

func TestMain(m *testing.M) {
	os.Exit(runWithFerretDB(m))
}

// runWithFerretDB serves MongoDB's wire protocol from FerretDB on SQLite
// files in a temporary directory for the duration of the tests.
func runWithFerretDB(m *testing.M) int {
	dir, err := os.MkdirTemp("", "omnify-ferretdb-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	ferretURI = f.MongoDBURI()
	code := m.Run()
	cancel()
	<-done
	return code
}

var dbSeq atomic.Int64

// opener returns a storetest.NewStore opening a fresh database on uri.
func opener(uri string) storetest.NewStore {
	return func(t *testing.T) store.Store {
		t.Helper()
		name := fmt.Sprintf("omnify_test_%d_%d", time.Now().UnixNano()%1e9, dbSeq.Add(1))
		db := openDB(t, uri, name)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := db.Drop(ctx); err != nil {
				t.Errorf("drop %s: %v", name, err)
			}
			if err := db.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return db
	}
}

func openDB(t testing.TB, uri, name string) *mongo.DB {
	t.Helper()
	db, err := mongo.Open(t.Context(), uri, name, mongo.Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	if err := db.Migrate(t.Context()); err != nil {
		_ = db.Close()
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func TestConformanceFerretDB(t *testing.T) {
	storetest.Run(t, opener(ferretURI))
}

// TestConformanceMongoDB runs the suite against a real MongoDB when
// OMNIFY_TEST_MONGO_URI names one.
func TestConformanceMongoDB(t *testing.T) {
	uri := os.Getenv("OMNIFY_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("OMNIFY_TEST_MONGO_URI is not set")
	}
	storetest.Run(t, opener(uri))
}
