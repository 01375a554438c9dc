package gohighleveltest

import (
	"net/http"
	"strconv"
	"time"
)

// FaultKind is one way the fake misbehaves.
type FaultKind int

// Faults a retry cures.
const (
	Fault429       FaultKind = iota // 429 with Retry-After
	Fault500                        // 500 Internal Server Error
	Fault502                        // 502 with an HTML gateway page
	FaultTruncated                  // 200 with half a JSON body
)

// Fault is one injected misbehaviour.
type Fault struct {
	Kind       FaultKind
	RetryAfter time.Duration // Fault429 (default 1 s)
}

// Inject queues f for the next n API requests.
func (s *Server) Inject(f Fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// nextFault pops the next queued fault; the caller holds s.mu.
func (s *Server) nextFault() (Fault, bool) {
	if len(s.faults) == 0 {
		return Fault{}, false
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	s.stats.Faults++
	return f, true
}

func serveFault(w http.ResponseWriter, f Fault) {
	switch f.Kind {
	case Fault429:
		wait := f.RetryAfter
		if wait <= 0 {
			wait = time.Second
		}
		w.Header().Set("Retry-After", formatSeconds(wait))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"statusCode": 429, "message": "Too Many Requests"})
	case Fault500:
		writeError(w, http.StatusInternalServerError, "Internal server error")
	case Fault502:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
	case FaultTruncated:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"contacts":[{"id":"trunc`))
	}
}

func formatSeconds(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}
