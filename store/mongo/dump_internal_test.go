package mongo

import (
	"testing"

	"github.com/omnify-cloud/omnify/store"
)

// TestDumpAndLoadCoverEveryKind keeps the dump and the load in step with
// store.Kinds: a kind added there but not here would be lost by a copy.
func TestDumpAndLoadCoverEveryKind(t *testing.T) {
	if len(dumpKinds) != len(store.Kinds) {
		t.Fatalf("%d dumped kinds, want %d", len(dumpKinds), len(store.Kinds))
	}
	for i, k := range dumpKinds {
		if k.kind != store.Kinds[i] {
			t.Errorf("dump kind %d is %s, want %s", i, k.kind, store.Kinds[i])
		}
		if _, ok := loadKinds[store.Kinds[i]]; !ok {
			t.Errorf("no load of %s", store.Kinds[i])
		}
	}
}
