package linkedintest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// FaultKind is one injected failure.
type FaultKind int

// Faults a retry cures.
const (
	Fault429       FaultKind = iota // 429 with no headers, as LinkedIn sends
	Fault500                        // 500 in LinkedIn's error shape
	Fault503                        // 503 HTML page from the edge
	FaultTruncated                  // 200 whose JSON body is cut short
)

type fault struct {
	kind FaultKind
	left int
}

// Inject queues a fault for the next n /rest calls.
func (s *Server) Inject(k FaultKind, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{kind: k, left: n})
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// quotaState counts requests for the day (UTC) and the minute.
type quotaState struct {
	day       string
	app       int
	member    map[string]int
	minute    time.Time
	dmpMinute map[string]int
}

// errorBody is LinkedIn's error shape.
type errorBody struct {
	Status           int    `json:"status"`
	ServiceErrorCode int    `json:"serviceErrorCode,omitempty"`
	Code             string `json:"code"`
	Message          string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorBody{Status: status, Code: code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type handler func(w http.ResponseWriter, r *http.Request, q map[string]string, member string) (any, int)

var versionPattern = regexp.MustCompile(`^(\d{4})(\d{2})$`)

// api wraps a resource handler with LinkedIn's gate: auth, version and
// protocol headers, quotas, faults, then the answer.
func (s *Server) api(resource string, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.o.Latency > 0 {
			time.Sleep(s.o.Latency)
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.stats.Requests++
		s.stats.ByPath[resource]++
		s.bodies = append(s.bodies, []byte(r.URL.RawQuery+"\n"+string(body)))
		member, status, code, msg := s.admit(r, resource)
		var f *fault
		if status == 0 {
			f = s.nextFault()
		}
		s.mu.Unlock()
		if status != 0 {
			if status == http.StatusTooManyRequests {
				writeJSON(w, status, errorBody{Status: status, ServiceErrorCode: 101, Code: code, Message: msg})
				return
			}
			writeError(w, status, code, msg)
			return
		}
		if f != nil && s.serveFault(w, *f) {
			return
		}
		q, err := rawQuery(r.URL.RawQuery)
		if err != nil {
			writeError(w, http.StatusBadRequest, "ILLEGAL_ARGUMENT", err.Error())
			return
		}
		out, st := h(w, r, q, member)
		if out != nil {
			writeJSON(w, st, out)
		}
	}
}

// admit checks the token, headers and quotas. Called with s.mu held.
func (s *Server) admit(r *http.Request, resource string) (member string, status int, code, msg string) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, known := s.tokens[token]
	if !ok || !known || !s.now().Before(exp) {
		return "", http.StatusUnauthorized, "INVALID_ACCESS_TOKEN", "Invalid access token"
	}
	member = "member-1"
	if st, c, m := s.checkVersion(r.Header.Get("LinkedIn-Version")); st != 0 {
		return "", st, c, m
	}
	if r.Header.Get("X-Restli-Protocol-Version") != "2.0.0" {
		return "", http.StatusBadRequest, "ILLEGAL_ARGUMENT",
			"Rest.li protocol 1.0 syntax is not supported on versioned APIs; send X-Restli-Protocol-Version: 2.0.0"
	}
	if c, m := s.spend(member, resource); c != "" {
		s.stats.Throttled++
		return "", http.StatusTooManyRequests, c, m
	}
	return member, 0, "", ""
}

// checkVersion accepts the last twelve monthly versions.
func (s *Server) checkVersion(v string) (int, string, string) {
	if v == "" {
		return http.StatusBadRequest, "VERSION_MISSING",
			"A version must be present. Please specify a version by adding the LinkedIn-Version header."
	}
	m := versionPattern.FindStringSubmatch(v)
	if m == nil {
		return http.StatusBadRequest, "INVALID_VERSION", fmt.Sprintf("Invalid version format %q; expected YYYYMM", v)
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	now := s.now()
	age := (now.Year()-y)*12 + int(now.Month()) - mo
	if mo < 1 || mo > 12 || age < 0 || age >= 12 {
		return http.StatusUpgradeRequired, "NONEXISTENT_VERSION", fmt.Sprintf("Requested version %s is not active", v)
	}
	return 0, "", ""
}

// spend counts one call against the daily quotas (and the DMP minute
// limit) and names the limit it breaks, if any.
func (s *Server) spend(member, resource string) (code, msg string) {
	now := s.now()
	if day := now.Format(time.DateOnly); s.quota.day != day {
		s.quota = quotaState{day: day, member: map[string]int{}, dmpMinute: map[string]int{}, minute: s.quota.minute}
	}
	if min := now.Truncate(time.Minute); !s.quota.minute.Equal(min) {
		s.quota.minute, s.quota.dmpMinute = min, map[string]int{}
	}
	if s.o.DailyAppLimit > 0 && s.quota.app >= s.o.DailyAppLimit {
		return "TOO_MANY_REQUESTS", "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."
	}
	if s.o.DailyMemberLimit > 0 && s.quota.member[member] >= s.o.DailyMemberLimit {
		return "TOO_MANY_REQUESTS", "Resource level throttle MEMBER DAY limit for calls to this resource is reached."
	}
	if resource == "dmpSegmentUsers" && s.o.DMPPerMinute > 0 && s.quota.dmpMinute[member] >= s.o.DMPPerMinute {
		return "TOO_MANY_REQUESTS", "Resource level throttle MEMBER MINUTE limit for calls to this resource is reached."
	}
	s.quota.app++
	s.quota.member[member]++
	if resource == "dmpSegmentUsers" {
		s.quota.dmpMinute[member]++
	}
	return "", ""
}

// nextFault takes one from the queue. Called with s.mu held.
func (s *Server) nextFault() *fault {
	for len(s.faults) > 0 {
		f := &s.faults[0]
		if f.left <= 0 {
			s.faults = s.faults[1:]
			continue
		}
		f.left--
		out := *f
		return &out
	}
	return nil
}

func (s *Server) serveFault(w http.ResponseWriter, f fault) bool {
	switch f.kind {
	case Fault429:
		writeJSON(w, http.StatusTooManyRequests, errorBody{Status: 429, ServiceErrorCode: 101, Code: "TOO_MANY_REQUESTS",
			Message: "Resource level throttle APPLICATION MINUTE limit for calls to this resource is reached."})
	case Fault500:
		writeError(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "Internal Server Error")
	case Fault503:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "<html><body><h1>503 Service Unavailable</h1></body></html>")
	case FaultTruncated:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"elements":[{"id":1,"name":"cut`)
	default:
		return false
	}
	return true
}

// token is POST /oauth/v2/accessToken with grant_type=refresh_token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "malformed form body"})
		return
	}
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case f.Get("grant_type") != "refresh_token":
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type",
			"error_description": "grant_type must be refresh_token here"})
	case f.Get("client_id") != s.clientID || f.Get("client_secret") != s.secret:
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client",
			"error_description": "Client authentication failed"})
	case f.Get("refresh_token") != s.refresh:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request",
			"error_description": "The provided authorization grant or refresh token is invalid, expired or revoked."})
	default:
		s.issued++
		tok := fmt.Sprintf("AQV-fake-access-%d", s.issued)
		s.tokens[tok] = s.now().Add(s.o.TokenTTL)
		s.stats.Refreshes++
		writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "expires_in": int(s.o.TokenTTL / time.Second),
			"refresh_token": s.refresh, "refresh_token_expires_in": 31536000, "scope": "r_ads,r_ads_reporting,rw_dmp_segments"})
	}
}
