package shopifytest

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// FaultKind is a failure the server can be told to produce.
type FaultKind int

// Faults, each served instead of (or, for FaultSlow, before) one answer.
const (
	Fault429       FaultKind = iota + 1 // HTTP 429 with Retry-After
	Fault500                            // HTTP 500
	Fault503                            // HTTP 503
	FaultSlow                           // answer after Delay
	FaultTruncated                      // cut the JSON answer in half
	FaultMalformed                      // answer with bytes that are not JSON
)

// Fault is one injected failure.
type Fault struct {
	Kind       FaultKind
	RetryAfter time.Duration // Fault429 (default 1 s)
	Delay      time.Duration // FaultSlow
}

// Inject queues n copies of f; each GraphQL request consumes one.
func (s *Server) Inject(f Fault, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// ClearFaults drops the faults not served yet.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

type gqlRequest struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

type costExt struct {
	RequestedQueryCost float64        `json:"requestedQueryCost"`
	ActualQueryCost    *float64       `json:"actualQueryCost"`
	ThrottleStatus     throttleStatus `json:"throttleStatus"`
}

type throttleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable float64 `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

type gqlAnswer struct {
	Data       any            `json:"data,omitempty"`
	Errors     []gqlErr       `json:"errors,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

type gqlErr struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions,omitempty"`
	Path       []any          `json:"path,omitempty"`
}

func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	fault, ok := s.admit(w, r)
	if !ok {
		return
	}
	var req gqlRequest
	if err := json.Unmarshal(body, &req); err != nil || req.Query == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": "Bad Request: query is required"})
		return
	}
	ans := s.answer(req)
	out, err := json.Marshal(ans)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	switch fault.Kind {
	case FaultTruncated:
		out = out[:len(out)/2]
	case FaultMalformed:
		out = []byte("<html><body>502 Bad Gateway</body></html>")
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
}

// admit applies authentication and the next injected fault; false when it
// has already answered.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) (Fault, bool) {
	s.mu.Lock()
	s.stats.Requests++
	var f Fault
	if len(s.faults) > 0 {
		f, s.faults = s.faults[0], s.faults[1:]
		s.stats.Faults++
	}
	token := s.token
	s.mu.Unlock()
	if r.Header.Get("X-Shopify-Access-Token") != token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return f, false
	}
	switch f.Kind {
	case Fault429:
		wait := f.RetryAfter
		if wait <= 0 {
			wait = time.Second
		}
		w.Header().Set("Retry-After", strconv.FormatFloat(wait.Seconds(), 'f', -1, 64))
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"errors": "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."})
		return f, false
	case Fault500, Fault503:
		code := map[FaultKind]int{Fault500: 500, Fault503: 503}[f.Kind]
		writeJSON(w, code, map[string]any{"errors": "Internal Server Error"})
		return f, false
	case FaultSlow:
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return f, false
		}
	}
	return f, true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// answer validates, prices and runs one request.
func (s *Server) answer(req gqlRequest) gqlAnswer {
	doc, op, vars, errs := s.prepare(req)
	if errs != nil {
		return gqlAnswer{Errors: errs}
	}
	x := &exec{vars: vars, frags: doc.Fragments}
	requested := x.requestedCost(op.SelectionSet)
	if op.Operation == ast.Mutation {
		requested = 10 * len(op.SelectionSet)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.refill()
	cost := costExt{RequestedQueryCost: float64(requested), ThrottleStatus: ts}
	ext := map[string]any{"cost": &cost}
	if limit := math.Min(s.o.MaxQueryCost, ts.MaximumAvailable); float64(requested) > limit {
		return gqlAnswer{Errors: []gqlErr{{Message: fmt.Sprintf("Query cost is %d, which exceeds the single query max cost limit (%.0f).", requested, limit),
			Extensions: map[string]any{"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": limit}}}, Extensions: ext}
	}
	if float64(requested) > ts.CurrentlyAvailable {
		s.stats.Throttled++
		return gqlAnswer{Errors: []gqlErr{{Message: "Throttled", Extensions: map[string]any{"code": "THROTTLED",
			"documentation": "https://shopify.dev/api/usage/rate-limits"}}}, Extensions: ext}
	}
	data, rerrs := s.run(x, op)
	actual := float64(x.cost)
	if op.Operation == ast.Mutation {
		actual = float64(requested)
	}
	s.available -= actual
	s.stats.PointsUsed += actual
	cost.ActualQueryCost = &actual
	cost.ThrottleStatus.CurrentlyAvailable = s.available
	return gqlAnswer{Data: data, Errors: rerrs, Extensions: ext}
}

// refill leaks the bucket up to now; call with s.mu held.
func (s *Server) refill() throttleStatus {
	now := s.o.Now()
	if d := now.Sub(s.filledAt).Seconds(); d > 0 {
		s.available = math.Min(s.o.MaximumAvailable, s.available+d*s.o.RestoreRate)
		s.filledAt = now
	}
	return throttleStatus{MaximumAvailable: s.o.MaximumAvailable, CurrentlyAvailable: s.available, RestoreRate: s.o.RestoreRate}
}

// prepare parses the document, validates it against the schema and
// coerces the variables, answering problems the way Shopify does.
func (s *Server) prepare(req gqlRequest) (*ast.QueryDocument, *ast.OperationDefinition, map[string]any, []gqlErr) {
	doc, perr := parser.ParseQuery(&ast.Source{Name: "query", Input: req.Query})
	if perr != nil {
		return nil, nil, nil, fromGQL(gqlerror.List{toGQLError(perr)})
	}
	if s.schema != nil {
		if errs := validator.ValidateWithRules(s.schema, doc, nil); len(errs) > 0 {
			return nil, nil, nil, fromGQL(errs)
		}
	}
	op := doc.Operations.ForName(req.OperationName)
	if op == nil {
		return nil, nil, nil, []gqlErr{{Message: "No operation named " + strconv.Quote(req.OperationName)}}
	}
	vars := req.Variables
	if s.schema != nil {
		v, err := validator.VariableValues(s.schema, op, req.Variables)
		if err != nil {
			return nil, nil, nil, fromGQL(gqlerror.List{toGQLError(err)})
		}
		vars = v
	}
	return doc, op, vars, nil
}

func toGQLError(err error) *gqlerror.Error {
	if g, ok := err.(*gqlerror.Error); ok {
		return g
	}
	return gqlerror.Errorf("%s", err.Error())
}

func fromGQL(list gqlerror.List) []gqlErr {
	out := make([]gqlErr, 0, len(list))
	for _, e := range list {
		code := "GRAPHQL_VALIDATION_FAILED"
		if e.Rule != "" {
			code = e.Rule
		}
		out = append(out, gqlErr{Message: e.Message, Extensions: map[string]any{"code": code}})
	}
	return out
}
