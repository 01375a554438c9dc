package connectortest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update makes Golden rewrite the files instead of comparing with them:
// go test ./connector/<name> -update.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Golden compares got, a vendor payload or the records mapped from one,
// with testdata/name (surrounding white space aside), or rewrites the file
// when the test runs with -update.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run with -update)", name, err)
	}
	if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
		t.Fatalf("%s differs from the golden file; got:\n%s", name, got)
	}
}
