// Package storetest is the one conformance suite every store.Store backend
// runs. It tests behaviour a caller can observe (errors, ordering,
// pagination, tenant isolation, guards, concurrency), never how a backend
// stores things, so an SQL and a document backend pass the same tests.
//
// Rules the suite pins down beyond the comments of package store:
//   - Times come back in UTC and equal what was written to the microsecond.
//   - Empty and nil slices, maps and JSON documents are interchangeable.
//   - A create with an empty ID gets a fresh ID; a zero CreatedAt gets the
//     current time. Batch upserts reject records without an ID (ErrInvalid).
//   - Org-scoped upserts store records under the orgID argument, whatever the
//     records' own OrgID says.
//   - A malformed page cursor is ErrInvalid.
//   - ClaimJob with no kinds claims a job of any kind.
//   - Complete, fail and progress calls on a job that is not running are
//     ErrConflict; a running job whose lease expired with no attempts left
//     becomes dead instead of being claimed again.
//   - Scores cannot be written to a finished EYES run (ErrConflict) nor to a
//     run of another org (ErrNotFound). Campaign metrics need their campaign
//     in the same org (ErrNotFound).
package storetest

import (
	"testing"

	"github.com/omnify-cloud/omnify/store"
)

// NewStore returns a fresh, empty, ready-to-use store. It must register its
// own cleanup (closing the store, removing files) with t.Cleanup.
type NewStore func(t *testing.T) store.Store

type suiteTest struct {
	name string
	fn   func(t *testing.T, s store.Store)
}

// Run runs every conformance test against stores made by newStore, each
// subtest on a fresh store.
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	var tests []suiteTest
	for _, group := range [][]suiteTest{
		accountTests, tokenTests, auditTests, customerTests, orderTests,
		campaignTests, jobTests, eyesTests, isolationTests, connectionTests, identityTests,
		audienceTests, dumpTests,
	} {
		tests = append(tests, group...)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}
