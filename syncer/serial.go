package syncer

import (
	"context"
	"sync"

	"github.com/omnify-cloud/omnify/connector"
)

// SerialPerOrg returns a Sink that hands one org's batches to s one at a
// time, for sinks that read then write an org's data (identity
// resolution) while syncs of several connections run at once. Batches of
// different orgs still go in parallel. It serialises within this process
// only.
func SerialPerOrg(s Sink) Sink { return &serialSink{inner: s, locks: map[string]*orgLock{}} }

type serialSink struct {
	inner Sink
	mu    sync.Mutex
	locks map[string]*orgLock
}

type orgLock struct {
	mu    sync.Mutex
	users int
}

func (s *serialSink) Store(ctx context.Context, orgID, connID, platform string, recs []connector.Record) error {
	l := s.acquire(orgID)
	defer s.release(orgID, l)
	return s.inner.Store(ctx, orgID, connID, platform, recs)
}

func (s *serialSink) acquire(orgID string) *orgLock {
	s.mu.Lock()
	l, ok := s.locks[orgID]
	if !ok {
		l = &orgLock{}
		s.locks[orgID] = l
	}
	l.users++
	s.mu.Unlock()
	l.mu.Lock()
	return l
}

// release forgets an org's lock when nobody holds or waits for it, so the
// map does not grow with every org ever synced.
func (s *serialSink) release(orgID string, l *orgLock) {
	l.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.users--; l.users == 0 {
		delete(s.locks, orgID)
	}
}
