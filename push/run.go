package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/jobs"
)

// Result is a finished push's job result.
type Result struct {
	SegmentID    string `json:"segment_id"`
	EyesRunID    string `json:"eyes_run_id"`
	ConnectionID string `json:"connection_id"`
	Platform     string `json:"platform"`
	Destination  string `json:"destination"`
	// DestinationID is the vendor's ID of the audience.
	DestinationID string `json:"destination_id"`
	// Added and Removed count members the platform accepted, over every
	// attempt of the job.
	Added   int `json:"added"`
	Removed int `json:"removed"`
	// SkippedNoConsent counts segment members whose marketing consent is
	// not granted (denied or unknown): never sent.
	SkippedNoConsent int `json:"skipped_no_consent"`
	// SkippedMissing counts segment members deleted or merged away since
	// the EYES run.
	SkippedMissing int `json:"skipped_missing"`
	// Forgotten counts people recorded as pushed who no longer exist in
	// OmniFy (merged into another customer or erased): dropped from the
	// record without a call, since the platform cannot be told who they were.
	Forgotten int `json:"forgotten"`
	// Failed lists members the platform refused (at most Config.MaxFailures
	// of them; FailedCount has them all). They are not recorded as pushed,
	// so the next push tries them again.
	Failed      []Failure `json:"failed"`
	FailedCount int       `json:"failed_count"`
}

// Failure is a member the platform refused.
type Failure struct {
	CustomerID string `json:"customer_id"`
	Reason     string `json:"reason"`
}

// Progress is what a running push reports on its job.
type Progress struct {
	Phase            string `json:"phase"` // planning, pushing
	ToAdd            int    `json:"to_add"`
	ToRemove         int    `json:"to_remove"`
	Added            int    `json:"added"`
	Removed          int    `json:"removed"`
	FailedCount      int    `json:"failed_count"`
	SkippedNoConsent int    `json:"skipped_no_consent"`
	Batches          int    `json:"batches"`
	BatchesDone      int    `json:"batches_done"`
}

// task is one attempt of one push job.
type task struct {
	e        *Engine
	org      string
	p        payload
	run      *omnify.EyesRun
	platform string
	action   string
	pusher   connector.Pusher
	cc       connector.Connection
	res      Result
	prog     Progress
	report   func(any)
}

// Handle is the job handler for JobKind. A push whose connection was
// deleted, whose platform lost write-back, or whose segment is gone from
// the latest run fails for good; platform and store failures are retried,
// resuming after the last batch recorded.
func (e *Engine) Handle(ctx context.Context, j *omnify.Job, report func(any)) (any, error) {
	p, err := decodePayload(j.Payload)
	if err != nil {
		return nil, jobs.Permanent(err)
	}
	t := &task{e: e, org: j.OrgID, p: p, report: report}
	t.carry(j.Progress)
	if err := t.prepare(ctx); err != nil {
		return nil, t.jobError(err)
	}
	t.prog.Phase = "planning"
	t.report(t.prog)
	pl, err := t.makePlan(ctx)
	if err != nil {
		return nil, t.jobError(err)
	}
	t.res.SkippedNoConsent, t.res.SkippedMissing = pl.skipped, pl.missing
	if err := t.forget(ctx, pl.forget); err != nil {
		return nil, t.jobError(err)
	}
	if err := t.push(ctx, pl); err != nil {
		return nil, t.jobError(err)
	}
	t.res.Failed = nonNil(t.res.Failed)
	return t.res, nil
}

// carry keeps the counts of earlier attempts, so the result covers the
// whole job.
func (t *task) carry(prev json.RawMessage) {
	var p Progress
	if len(prev) > 0 && json.Unmarshal(prev, &p) == nil {
		t.res.Added, t.res.Removed = p.Added, p.Removed
		t.prog.Added, t.prog.Removed = p.Added, p.Removed
	}
}

// prepare opens the connection and finds its pusher and the EYES run.
func (t *task) prepare(ctx context.Context) error {
	conn, creds, err := t.e.cfg.Credentials.Credentials(ctx, t.org, t.p.ConnectionID)
	if err != nil {
		return fmt.Errorf("push connection: %w", err)
	}
	c, ok := t.e.cfg.Registry.Get(conn.Platform)
	if !ok || !CanPush(c) {
		return omnify.Invalid("connection_id", "%s connections cannot receive audiences", conn.Platform)
	}
	if t.run, err = t.e.segment(ctx, t.org, t.p.SegmentID); err != nil {
		return err
	}
	t.platform, t.action, t.pusher = conn.Platform, c.Actions()[0].Name, c.(connector.Pusher)
	t.cc = connector.Connection{ID: conn.ID, OrgID: conn.OrgID, Credentials: creds, Config: conn.Config,
		HTTP: t.e.cfg.HTTP, BaseURL: t.e.cfg.BaseURLs[conn.Platform]}
	t.res.SegmentID, t.res.EyesRunID, t.res.ConnectionID = t.p.SegmentID, t.run.ID, conn.ID
	t.res.Platform, t.res.Destination = conn.Platform, t.p.Destination
	if a, err := t.e.cfg.Store.GetAudience(ctx, t.org, conn.ID, t.p.Destination); err == nil {
		t.res.DestinationID = a.DestinationID
	}
	return nil
}

// jobError tells the job runner whether retrying can help. Its text has
// credential values masked, in case a vendor echoed one.
func (t *task) jobError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	var bo *connector.BackOffError
	if errors.As(err, &bo) && bo.Reason != "" {
		msg = "the platform asked to wait: " + bo.Reason
	}
	for _, v := range t.cc.Credentials {
		if len(v) >= 4 {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	out := &maskedError{msg: msg, err: err}
	if permanent(err) {
		return jobs.Permanent(out)
	}
	return out
}

// maskedError is an error with safe text that still unwraps to its cause.
type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// permanent reports errors retrying cannot fix: a deleted connection or
// segment, bad input, refused credentials, a vendor's final no.
func permanent(err error) bool {
	for _, k := range []error{omnify.ErrNotFound, omnify.ErrInvalid, connector.ErrAuth, connector.ErrPermanent,
		connector.ErrInvalidConfig} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
