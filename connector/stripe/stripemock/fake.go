package stripemock

import (
	"embed"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

//go:embed testdata/*.json
var fixtures embed.FS

// Resources the fake serves as lists, with the event type prefix Stripe uses
// for each.
var eventPrefix = map[string]string{
	"customers":     "customer",
	"charges":       "charge",
	"invoices":      "invoice",
	"subscriptions": "customer.subscription",
}

var idPrefix = map[string]string{
	"customers": "cus", "charges": "ch", "invoices": "in", "subscriptions": "sub",
}

var fixtureName = map[string]string{
	"customers": "customer", "charges": "charge", "invoices": "invoice", "subscriptions": "subscription",
}

// Fault is one scripted misbehaviour, served instead of the next response.
type Fault struct {
	Status            int    // HTTP status; 0 with Malformed means 200
	RetryAfter        string // Retry-After header, if any
	RateLimitedReason string // Stripe-Rate-Limited-Reason header, if any
	Body              string // body override (e.g. an HTML gateway page)
	Malformed         bool   // a truncated JSON body
	Hang              bool   // never answer; wait for the client to give up
}

// Fake is an in-process Stripe with real cursor pagination over objects
// built from the golden fixtures, an event log, and fault injection.
type Fake struct {
	URL string
	Key string

	mu       sync.Mutex
	lists    map[string][]map[string]any // newest first, as Stripe lists
	deleted  map[string]bool
	events   []map[string]any // newest first
	faults   []Fault
	requests []string
	seq      int
	created  int64
}

// NewFake starts a Fake for the test; it accepts TestKey.
func NewFake(tb testing.TB) *Fake {
	tb.Helper()
	f := &Fake{Key: TestKey, lists: map[string][]map[string]any{}, deleted: map[string]bool{}, created: 1767225600}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Fixture returns a fresh copy of a golden fixture object ("customer",
// "charge", "invoice", "subscription", "event").
func Fixture(name string) (map[string]any, error) {
	raw, err := fixtures.ReadFile("testdata/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", name, err)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("fixture %s: %w", name, err)
	}
	return obj, nil
}

// Seed adds n objects of a resource ("customers", "charges", "invoices",
// "subscriptions") without events, as if they predate the event window, and
// returns their ids oldest first. Every fourth subscription is canceled.
func (f *Fake) Seed(resource string, n int) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]string, 0, n)
	for range n {
		obj, err := f.newObject(resource)
		if err != nil {
			return nil, err
		}
		f.lists[resource] = append([]map[string]any{obj}, f.lists[resource]...)
		ids = append(ids, obj["id"].(string))
	}
	return ids, nil
}

func (f *Fake) newObject(resource string) (map[string]any, error) {
	name, ok := fixtureName[resource]
	if !ok {
		return nil, fmt.Errorf("unknown resource %q", resource)
	}
	obj, err := Fixture(name)
	if err != nil {
		return nil, err
	}
	f.seq++
	f.created += 60
	id := fmt.Sprintf("%s_%06d", idPrefix[resource], f.seq)
	obj["id"], obj["created"] = id, f.created
	switch resource {
	case "customers":
		obj["email"] = fmt.Sprintf("customer%d@example.com", f.seq)
		obj["name"] = fmt.Sprintf("Customer %d", f.seq)
	case "charges", "invoices":
		obj["customer"] = f.someCustomer()
		obj["amount"], obj["total"] = int64(100*f.seq), int64(100*f.seq)
	case "subscriptions":
		obj["customer"], obj["start_date"] = f.someCustomer(), f.created
		if f.seq%4 == 0 {
			obj["status"], obj["canceled_at"], obj["ended_at"] = "canceled", f.created+30, f.created+30
		}
	}
	return obj, nil
}

func (f *Fake) someCustomer() string {
	cs := f.lists["customers"]
	if len(cs) == 0 {
		return "cus_000000"
	}
	return cs[f.seq%len(cs)]["id"].(string)
}

// Create adds a new object and its "<prefix>.created" event; it returns the
// object id.
func (f *Fake) Create(resource string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	obj, err := f.newObject(resource)
	if err != nil {
		return "", err
	}
	f.lists[resource] = append([]map[string]any{obj}, f.lists[resource]...)
	f.addEvent(eventPrefix[resource]+".created", obj)
	return obj["id"].(string), nil
}

// Update changes an object and records a "<prefix>.updated" event with the
// new state.
func (f *Fake) Update(resource, id string, change func(obj map[string]any)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, obj := range f.lists[resource] {
		if obj["id"] == id {
			change(obj)
			f.addEvent(eventPrefix[resource]+".updated", obj)
			return nil
		}
	}
	return fmt.Errorf("%s %s not found", resource, id)
}

// Delete does what Stripe does on deletion: customers and draft invoices
// leave the list and a "<prefix>.deleted" event carries their last state;
// a subscription is canceled (it stays listable with status=all) and
// customer.subscription.deleted carries it; charges cannot be deleted.
func (f *Fake) Delete(resource, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if resource == "charges" {
		return fmt.Errorf("stripe charges cannot be deleted")
	}
	list := f.lists[resource]
	i := indexOf(list, id)
	if i < 0 {
		return fmt.Errorf("%s %s not found", resource, id)
	}
	obj := list[i]
	if resource == "subscriptions" {
		obj["status"], obj["canceled_at"], obj["ended_at"] = "canceled", f.created+60, f.created+60
	} else {
		f.lists[resource] = append(list[:i:i], list[i+1:]...)
		f.deleted[id] = true
	}
	f.addEvent(eventPrefix[resource]+".deleted", obj)
	return nil
}

// AddEvent records an event of any type around obj and returns its id.
func (f *Fake) AddEvent(typ string, obj map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addEvent(typ, obj)
}

func (f *Fake) addEvent(typ string, obj map[string]any) string {
	evt, _ := Fixture("event")
	f.seq++
	f.created += 60
	id := fmt.Sprintf("evt_%06d", f.seq)
	evt["id"], evt["type"], evt["created"] = id, typ, f.created
	evt["data"] = map[string]any{"object": maps.Clone(obj)}
	f.events = append([]map[string]any{evt}, f.events...)
	return id
}

// Inject queues faults; each replaces the next response.
func (f *Fake) Inject(faults ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, faults...)
}

// ClearFaults drops the faults not yet served.
func (f *Fake) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = nil
}

// Len is the number of objects of a resource, canceled subscriptions
// included.
func (f *Fake) Len(resource string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.lists[resource])
}

// Requests returns "path?query" of every request served so far.
func (f *Fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// SetCreated sets the created time the next object or event is stamped
// after (they advance by 60 s each).
func (f *Fake) SetCreated(unix int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.created = unix
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	fault, hasFault := f.begin(r)
	if hasFault {
		serveFault(w, r, fault)
		return
	}
	if !f.authorised(r) {
		writeError(w, http.StatusUnauthorized, "invalid_request_error", "", "Invalid API Key provided.")
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "invalid_request_error", "", "Only GET is served.")
		return
	}
	resource, id, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v1/"), "/")
	f.mu.Lock()
	var body map[string]any
	var status int
	var err *listError
	if id != "" {
		body, status, err = f.retrieve(resource, id)
	} else {
		body, status, err = f.list(resource, r.URL.Query())
	}
	now := f.created
	f.mu.Unlock()
	if err != nil {
		writeError(w, status, "invalid_request_error", err.code, err.msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_fake")
	// The fake's clock is the stamp of its newest object or event.
	w.Header().Set("Date", time.Unix(now, 0).UTC().Format(http.TimeFormat))
	_ = json.NewEncoder(w).Encode(body)
}

// retrieve serves GET /v1/<resource>/<id>; a deleted customer comes back
// as Stripe's deleted stub.
func (f *Fake) retrieve(resource, id string) (map[string]any, int, *listError) {
	if i := indexOf(f.lists[resource], id); i >= 0 {
		return f.lists[resource][i], http.StatusOK, nil
	}
	if f.deleted[id] && resource == "customers" {
		return map[string]any{"id": id, "object": "customer", "deleted": true}, http.StatusOK, nil
	}
	return nil, http.StatusNotFound, missing(id)
}

func (f *Fake) begin(r *http.Request) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.URL.Path+"?"+r.URL.RawQuery)
	if len(f.faults) == 0 {
		return Fault{}, false
	}
	fault := f.faults[0]
	f.faults = f.faults[1:]
	return fault, true
}

func (f *Fake) authorised(r *http.Request) bool {
	if user, _, ok := r.BasicAuth(); ok {
		return user == f.Key
	}
	return r.Header.Get("Authorization") == "Bearer "+f.Key
}

func serveFault(w http.ResponseWriter, r *http.Request, fault Fault) {
	if fault.Hang {
		// Bounded so a client that never gives up cannot wedge the test.
		select {
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
		return
	}
	if fault.RetryAfter != "" {
		w.Header().Set("Retry-After", fault.RetryAfter)
	}
	if fault.RateLimitedReason != "" {
		w.Header().Set("Stripe-Rate-Limited-Reason", fault.RateLimitedReason)
	}
	status := fault.Status
	if status == 0 {
		status = http.StatusOK
	}
	switch {
	case fault.Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"cus_`))
	case fault.Body != "":
		w.WriteHeader(status)
		_, _ = w.Write([]byte(fault.Body))
	case status == http.StatusTooManyRequests:
		writeError(w, status, "invalid_request_error", "rate_limit", "Too many requests hit the API too quickly.")
	default:
		writeError(w, status, "api_error", "", "Something went wrong on Stripe's end.")
	}
}

type listError struct{ code, msg string }

func writeError(w http.ResponseWriter, status int, typ, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]any{"type": typ, "message": msg}
	if code != "" {
		body["code"] = code
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}
