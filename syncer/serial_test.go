package syncer_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/syncer"
)

// overlapSink records the most batches of one org it was in at once.
type overlapSink struct {
	mu      sync.Mutex
	active  map[string]int
	maxSeen map[string]int
	total   atomic.Int32
}

func (s *overlapSink) Store(_ context.Context, orgID, _, _ string, _ []connector.Record) error {
	s.mu.Lock()
	s.active[orgID]++
	s.maxSeen[orgID] = max(s.maxSeen[orgID], s.active[orgID])
	s.mu.Unlock()
	time.Sleep(time.Millisecond)
	s.total.Add(1)
	s.mu.Lock()
	s.active[orgID]--
	s.mu.Unlock()
	return nil
}

func TestSerialPerOrg(t *testing.T) {
	t.Parallel()
	inner := &overlapSink{active: map[string]int{}, maxSeen: map[string]int{}}
	sink := syncer.SerialPerOrg(inner)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			org := []string{"org-a", "org-b"}[i%2]
			if err := sink.Store(context.Background(), org, "c", "fake", nil); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if inner.total.Load() != 40 || inner.maxSeen["org-a"] != 1 || inner.maxSeen["org-b"] != 1 {
		t.Fatalf("%d batches; at most %v of one org at once", inner.total.Load(), inner.maxSeen)
	}
}
