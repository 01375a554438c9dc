package hubspottest

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// apiError is HubSpot's error body.
type apiError struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	CorrelationID string `json:"correlationId"`
	Category      string `json:"category"`
	ErrorType     string `json:"errorType,omitempty"`
	PolicyName    string `json:"policyName,omitempty"`
}

// api wraps a handler with what every CRM request goes through, in
// HubSpot's order: faults, authentication, rate limits, content type.
func (s *Server) api(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.stats.Requests++
		f, faulty := s.nextFault()
		s.mu.Unlock()
		if faulty {
			s.serveFault(w, f)
			return
		}
		if !s.authorize(w, r) {
			return
		}
		if !s.admit(w, r) {
			return
		}
		if r.Method == http.MethodPost || r.Method == http.MethodPut {
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
				s.fail(w, http.StatusUnsupportedMediaType, "VALIDATION_ERROR", "Content-Type must be application/json")
				return
			}
		}
		h(w, r)
	}
}

// authorize checks the Bearer token: the private-app token or a live
// OAuth access token.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		s.fail(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
			"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
		return false
	}
	if tok == s.o.Token {
		return true
	}
	s.mu.Lock()
	expiry, known := s.oauth.access[tok]
	s.mu.Unlock()
	switch {
	case !known:
		s.fail(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION", "The access token provided is not valid.")
		return false
	case !s.o.Now().Before(expiry):
		mins := int(s.o.Now().Sub(expiry).Minutes())
		s.fail(w, http.StatusUnauthorized, "EXPIRED_AUTHENTICATION",
			fmt.Sprintf("The OAuth token used to make this call expired %d minute(s) ago.", mins))
		return false
	}
	return true
}

// admit applies the rate limits and sets the rate-limit headers; search
// requests answer without them, as HubSpot's do.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	search := strings.HasSuffix(r.URL.Path, "/search")
	s.mu.Lock()
	d := s.limits.take(s.o.Now(), search)
	if search {
		s.stats.Searches++
	}
	if !d.allowed {
		s.stats.Throttled++
	}
	s.mu.Unlock()
	if !search {
		d.setHeaders(w.Header())
	}
	if d.allowed {
		return true
	}
	s.write(w, http.StatusTooManyRequests, apiError{
		Status: "error", Message: "You have reached your " + d.policyMessage + " limit.", ErrorType: "RATE_LIMIT",
		CorrelationID: s.correlation(), PolicyName: d.policy, Category: "RATE_LIMITS",
	})
	return false
}

// fail writes a HubSpot error.
func (s *Server) fail(w http.ResponseWriter, status int, category, msg string) {
	s.write(w, status, apiError{Status: "error", Message: msg, CorrelationID: s.correlation(), Category: category})
}

func (s *Server) correlation() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corrSeq++
	return fmt.Sprintf("4f1c2d3e-0000-4000-8000-%012d", s.corrSeq)
}

func (s *Server) write(w http.ResponseWriter, status int, body any) {
	raw, err := json.Marshal(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

// decode reads a JSON body strictly; a bad one gets HubSpot's 400.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, into any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err == nil {
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		err = dec.Decode(into)
	}
	if err != nil {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1: "+err.Error())
		return false
	}
	return true
}

// limiter keeps the rolling windows of one account.
type limiter struct {
	o        Options
	interval []time.Time // requests within the rolling interval
	second   []time.Time // searches within the rolling second
	day      int
	dayStart time.Time
}

func newLimiter(o Options) *limiter { return &limiter{o: o} }

type decision struct {
	allowed       bool
	policy        string
	policyMessage string
	max, left     int
	interval      time.Duration
	dailyMax      int
	dailyLeft     int
}

// take spends one request if the windows allow it.
func (l *limiter) take(now time.Time, search bool) decision {
	l.interval = trim(l.interval, now.Add(-l.o.Interval))
	l.second = trim(l.second, now.Add(-time.Second))
	if day := now.UTC().Truncate(24 * time.Hour); !day.Equal(l.dayStart) {
		l.dayStart, l.day = day, 0
	}
	d := decision{max: l.o.IntervalMax, interval: l.o.Interval, dailyMax: l.o.DailyMax}
	switch {
	case l.day >= l.o.DailyMax:
		d.policy, d.policyMessage = "DAILY", "daily"
	case len(l.interval) >= l.o.IntervalMax:
		d.policy, d.policyMessage = "TEN_SECONDLY_ROLLING", "ten_secondly_rolling"
	case search && len(l.second) >= l.o.SearchPerSecond:
		d.policy, d.policyMessage = "SECONDLY", "secondly"
	default:
		d.allowed = true
		l.interval = append(l.interval, now)
		l.day++
		if search {
			l.second = append(l.second, now)
		}
	}
	d.left = max(l.o.IntervalMax-len(l.interval), 0)
	d.dailyLeft = max(l.o.DailyMax-l.day, 0)
	return d
}

func trim(ts []time.Time, after time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(after) {
		i++
	}
	return ts[i:]
}

func (d decision) setHeaders(h http.Header) {
	h.Set("X-HubSpot-RateLimit-Daily", strconv.Itoa(d.dailyMax))
	h.Set("X-HubSpot-RateLimit-Daily-Remaining", strconv.Itoa(d.dailyLeft))
	h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(d.interval.Milliseconds(), 10))
	h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(d.max))
	h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(d.left))
	secondly := max(d.max*int(time.Second)/int(d.interval), 1)
	h.Set("X-HubSpot-RateLimit-Secondly", strconv.Itoa(secondly))
	h.Set("X-HubSpot-RateLimit-Secondly-Remaining", strconv.Itoa(min(secondly, d.left)))
}
