// Package pushtest helps test segment write-back: a Recorder connector
// that keeps the audiences pushed to it like a vendor would, and a helper
// that stores a finished EYES run with given segments.
package pushtest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/store"
)

// Platform is the Recorder's default platform name.
const Platform = "recorder"

// Token is the access token the Recorder's Spec accepts.
const Token = "tok_recorder01"

// Action is the Recorder's one write-back action.
const Action = "add_to_audience"

// Call is one Push the Recorder received.
type Call struct {
	Destination string
	Add         []connector.Member
	Remove      []connector.Member
}

// Recorder is a connector whose Push keeps audiences in memory, as a vendor
// would: adding a present member or removing an absent one changes nothing.
// Hooks set before use make calls fail.
type Recorder struct {
	// Name overrides the platform name (default Platform).
	Name string
	// Fail, when set, runs before each call (numbered from 1); its error is
	// returned and the call changes nothing.
	Fail func(ctx context.Context, call int, req connector.PushRequest) error
	// Refuse, when set, names members the vendor refuses, with a reason.
	Refuse func(m connector.Member) string

	mu        sync.Mutex
	calls     []Call
	audiences map[string]map[string]connector.Member
}

var _ connector.Pusher = (*Recorder)(nil)

func (r *Recorder) platform() string {
	if r.Name != "" {
		return r.Name
	}
	return Platform
}

// Spec needs one token.
func (r *Recorder) Spec() connector.Spec {
	return connector.Spec{Platform: r.platform(), DisplayName: "Recorder",
		Credentials: map[string]any{"type": "object", "required": []string{"token"},
			"properties": map[string]any{"token": map[string]any{"type": "string", "x-secret": true}}},
		Config: map[string]any{"type": "object", "properties": map[string]any{}}}
}

// Check accepts Token.
func (r *Recorder) Check(_ context.Context, c connector.Connection) error {
	if c.Credentials["token"] != Token {
		return connector.ErrAuth
	}
	return nil
}

// Streams is empty: the Recorder only receives.
func (r *Recorder) Streams() []connector.Stream { return nil }

// Read has nothing to read.
func (r *Recorder) Read(context.Context, connector.Connection, string, json.RawMessage, connector.Emitter) error {
	return connector.ErrUnknownStream
}

// Actions offers Action.
func (r *Recorder) Actions() []connector.Action {
	return []connector.Action{{Name: Action, Description: "Keep an audience in memory"}}
}

// Push applies the request to the named audience.
func (r *Recorder) Push(ctx context.Context, c connector.Connection, req connector.PushRequest) (connector.PushResult, error) {
	r.mu.Lock()
	r.calls = append(r.calls, Call{Destination: req.Destination, Add: req.Add, Remove: req.Remove})
	n := len(r.calls)
	r.mu.Unlock()
	if err := r.Check(ctx, c); err != nil {
		return connector.PushResult{}, err
	}
	if req.Action != Action {
		return connector.PushResult{}, fmt.Errorf("action %q: %w", req.Action, connector.ErrPermanent)
	}
	if r.Fail != nil {
		if err := r.Fail(ctx, n, req); err != nil {
			return connector.PushResult{}, err
		}
	}
	return r.apply(req), nil
}

func (r *Recorder) apply(req connector.PushRequest) connector.PushResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.audiences == nil {
		r.audiences = map[string]map[string]connector.Member{}
	}
	aud := r.audiences[req.Destination]
	if aud == nil {
		aud = map[string]connector.Member{}
		r.audiences[req.Destination] = aud
	}
	res := connector.PushResult{DestinationID: "aud:" + req.Destination}
	for _, m := range req.Remove {
		if !r.refused(m, &res) {
			delete(aud, m.CustomerID)
			res.Removed++
		}
	}
	for _, m := range req.Add {
		if !r.refused(m, &res) {
			aud[m.CustomerID] = m
			res.Added++
		}
	}
	return res
}

func (r *Recorder) refused(m connector.Member, res *connector.PushResult) bool {
	if r.Refuse == nil {
		return false
	}
	if why := r.Refuse(m); why != "" {
		res.Failed = append(res.Failed, connector.PushFailure{CustomerID: m.CustomerID, Reason: why})
		return true
	}
	return false
}

// Calls returns the calls received so far.
func (r *Recorder) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Call(nil), r.calls...)
}

// Audience returns the members of an audience, by customer ID.
func (r *Recorder) Audience(destination string) map[string]connector.Member {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]connector.Member{}
	for k, v := range r.audiences[destination] {
		out[k] = v
	}
	return out
}

// AudienceIDs returns the customer IDs in an audience, sorted.
func (r *Recorder) AudienceIDs(destination string) []string {
	var out []string
	for id := range r.Audience(destination) {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// RunStore is what Run writes to.
type RunStore interface {
	CreateEyesRun(ctx context.Context, r *omnify.EyesRun) error
	UpdateEyesRun(ctx context.Context, r *omnify.EyesRun) error
	PutEyesScores(ctx context.Context, orgID, runID string, ss []omnify.EyesScore) error
}

var _ RunStore = store.Store(nil)

// Run stores a succeeded EYES run of the org whose segments hold the given
// customer IDs, and returns it.
func Run(tb testing.TB, st RunStore, orgID string, segments map[string][]string) *omnify.EyesRun {
	tb.Helper()
	ctx := context.Background()
	type seg struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Size int    `json:"size"`
	}
	var rep struct {
		Segments []seg `json:"segments"`
	}
	var scores []omnify.EyesScore
	for _, id := range sortedKeys(segments) {
		rep.Segments = append(rep.Segments, seg{ID: id, Name: "Segment " + id, Size: len(segments[id])})
		for _, c := range segments[id] {
			scores = append(scores, omnify.EyesScore{CustomerID: c, SegmentID: id, SegmentName: "Segment " + id,
				Consent: omnify.ConsentUnknown})
		}
	}
	report, _ := json.Marshal(rep)
	run := &omnify.EyesRun{OrgID: orgID, Status: omnify.JobRunning, AsOf: time.Now().UTC()}
	must(tb, st.CreateEyesRun(ctx, run), "create eyes run")
	must(tb, st.PutEyesScores(ctx, orgID, run.ID, scores), "put eyes scores")
	now := time.Now().UTC()
	run.Status, run.Report, run.FinishedAt = omnify.JobSucceeded, report, &now
	must(tb, st.UpdateEyesRun(ctx, run), "finish eyes run")
	return run
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func must(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("pushtest: %s: %v", what, err)
	}
}
