package hubspottest

import (
	"net/http"
	"strconv"
)

// FaultKind is a failure the fake can serve instead of an answer.
type FaultKind int

// Faults: a 429 of the ten-second limit (with Retry-After when set), 5xx
// errors with HubSpot's and a gateway's bodies, a body cut short, and a
// body that is not JSON.
const (
	Fault429 FaultKind = iota
	Fault500
	Fault502
	Fault503
	FaultTruncated
	FaultMalformed
)

// Fault is one injected failure.
type Fault struct {
	Kind FaultKind
	// RetryAfter, in seconds, is sent with a 429 when positive.
	RetryAfter int
}

// Inject queues f to answer the next n API requests (OAuth grants are
// never faulted).
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

// nextFault pops the next queued fault. Callers hold s.mu.
func (s *Server) nextFault() (Fault, bool) {
	if len(s.faults) == 0 {
		return Fault{}, false
	}
	f := s.faults[0]
	s.faults = s.faults[1:]
	s.stats.Faults++
	return f, true
}

func (s *Server) serveFault(w http.ResponseWriter, f Fault) {
	switch f.Kind {
	case Fault429:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		s.write(w, http.StatusTooManyRequests, apiError{Status: "error", Message: "You have reached your ten_secondly_rolling limit.",
			ErrorType: "RATE_LIMIT", CorrelationID: s.correlation(), PolicyName: "TEN_SECONDLY_ROLLING", Category: "RATE_LIMITS"})
	case Fault500:
		s.fail(w, http.StatusInternalServerError, "INTERNAL_ERROR", "internal error")
	case Fault502:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
	case Fault503:
		s.fail(w, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "service unavailable, try again")
	case FaultTruncated:
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.Header().Set("Content-Length", "4096")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"results":[{"id":"1","properties":{"email":"cut`))
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"results": [}`))
	}
}
