package sqlite_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/storetest"
)

func TestCopyIntoSQLite(t *testing.T) {
	open := func(t *testing.T) store.Store { return MustOpen(t) }
	storetest.RunCopy(t, open, open)
}
