package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/store"
)

// Request names a push: which segment goes to which audience.
type Request struct {
	SegmentID    string `json:"segment_id"`
	ConnectionID string `json:"connection_id"`
	// Destination is the audience on the platform: a list or audience name
	// (created when missing), the vendor's ID of an existing one, or a tag.
	Destination string `json:"destination"`
}

// payload is a push job's payload.
type payload struct {
	Request
	RequestedBy string `json:"requested_by,omitempty"`
}

// Start checks a push and enqueues its job. Field errors name
// "destination" or "connection_id" (a connection whose platform cannot
// receive audiences); an unknown segment is ErrNoSegment (ErrNoRun before
// any EYES run), an unknown connection ErrNotFound, and an audience with a
// push still to finish ErrBusy.
func (e *Engine) Start(ctx context.Context, orgID, userID string, r Request) (*omnify.Job, error) {
	r.Destination = strings.TrimSpace(r.Destination)
	if err := r.validate(); err != nil {
		return nil, err
	}
	if _, err := e.segment(ctx, orgID, r.SegmentID); err != nil {
		return nil, err
	}
	conn, err := e.cfg.Store.GetConnection(ctx, orgID, r.ConnectionID)
	if err != nil {
		return nil, fmt.Errorf("push connection: %w", err)
	}
	c, ok := e.cfg.Registry.Get(conn.Platform)
	if !ok || !CanPush(c) {
		return nil, omnify.Invalid("connection_id", "%s connections cannot receive audiences", conn.Platform)
	}
	if err := e.idle(ctx, orgID, r); err != nil {
		return nil, err
	}
	j, err := e.cfg.Jobs.Enqueue(ctx, jobs.NewJob{OrgID: orgID, Kind: JobKind, MaxAttempts: e.cfg.MaxAttempts,
		Payload: payload{Request: r, RequestedBy: userID}})
	if err != nil {
		return nil, fmt.Errorf("start push: %w", err)
	}
	return j, nil
}

func (r Request) validate() error {
	switch {
	case r.ConnectionID == "":
		return omnify.Invalid("connection_id", "required")
	case r.Destination == "":
		return omnify.Invalid("destination", "required")
	case utf8.RuneCountInString(r.Destination) > MaxDestination:
		return omnify.Invalid("destination", "at most %d characters", MaxDestination)
	}
	return nil
}

// segment returns the latest successful EYES run, checking that it has the
// segment.
func (e *Engine) segment(ctx context.Context, orgID, segmentID string) (*omnify.EyesRun, error) {
	run, err := e.cfg.Store.LatestEyesRun(ctx, orgID)
	if errors.Is(err, omnify.ErrNotFound) {
		return nil, ErrNoRun
	}
	if err != nil {
		return nil, fmt.Errorf("latest eyes run: %w", err)
	}
	var rep struct {
		Segments []struct {
			ID string `json:"id"`
		} `json:"segments"`
	}
	if len(run.Report) > 0 {
		if err := json.Unmarshal(run.Report, &rep); err != nil {
			return nil, fmt.Errorf("decode eyes report %s: %w", run.ID, err)
		}
	}
	for _, sg := range rep.Segments {
		if sg.ID == segmentID {
			return run, nil
		}
	}
	return nil, ErrNoSegment
}

func decodePayload(raw []byte) (payload, error) {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("decode push payload: %w", err)
	}
	p.Destination = strings.TrimSpace(p.Destination)
	if p.SegmentID == "" {
		return p, omnify.Invalid("segment_id", "required")
	}
	return p, p.validate()
}

// RequestOf returns the request of a push job; false for a job of another
// kind or an unreadable payload.
func RequestOf(j *omnify.Job) (Request, bool) {
	if j.Kind != JobKind {
		return Request{}, false
	}
	var p payload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return Request{}, false
	}
	return p.Request, true
}

// RecentJobs bounds how far back, in an org's jobs, pushes are looked for.
const RecentJobs = 1000

// idle returns ErrBusy when a push to the same audience among the org's
// recent jobs has yet to finish.
func (e *Engine) idle(ctx context.Context, orgID string, r Request) error {
	page := store.Page{Limit: 200}
	for seen := 0; seen < RecentJobs; {
		js, next, err := e.cfg.Store.ListJobs(ctx, orgID, page)
		if err != nil {
			return fmt.Errorf("look for running pushes: %w", err)
		}
		for i := range js {
			q, ok := RequestOf(&js[i])
			if ok && q.ConnectionID == r.ConnectionID && q.Destination == r.Destination && unfinished(js[i].Status) {
				return ErrBusy
			}
		}
		seen += len(js)
		if next == "" {
			return nil
		}
		page.After = next
	}
	return nil
}

func unfinished(s omnify.JobStatus) bool {
	return s == omnify.JobQueued || s == omnify.JobRunning || s == omnify.JobFailed
}
