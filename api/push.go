package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/push"
	"github.com/omnify-cloud/omnify/store"
)

// SegmentPusher starts segment pushes; *push.Engine is one.
type SegmentPusher interface {
	Start(ctx context.Context, orgID, userID string, r push.Request) (*omnify.Job, error)
}

type pushSegmentInput struct {
	SegmentID string `path:"segment_id" maxLength:"100"`
	Body      struct {
		ConnectionID string `json:"connection_id" maxLength:"100" doc:"The connection whose platform receives the audience; its platform must support write-back."`
		Destination  string `json:"destination" maxLength:"200" doc:"The audience: a list or audience name (created when missing), the vendor's ID of an existing one, or a tag (GoHighLevel)."`
	}
}

type pushSegmentOutput struct {
	Location string `header:"Location" doc:"The job's address."`
	Body     JobItem
}

func (s *Server) registerPush() {
	Register(s, huma.Operation{OperationID: "eyes.push", Method: http.MethodPost,
		Path:    "/v1/eyes/segments/{segment_id}/push",
		Summary: "Push a segment's customers with marketing consent to a platform audience, as a background job",
		Description: "Only customers whose marketing consent is granted are sent; unknown is not consent. " +
			"Later pushes to the same connection and destination send only the difference, and remove people " +
			"who left the segment or withdrew consent. Follow the job at the Location header.",
		Tags: []string{"EYES"}, DefaultStatus: http.StatusAccepted,
		Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity, http.StatusServiceUnavailable}}, s.pushSegment)
	s.registerPushes()
}

func (s *Server) pushSegment(ctx context.Context, in *pushSegmentInput) (*pushSegmentOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if s.deps.Push == nil {
		return nil, fail(omnify.ErrUnavailable, "segment pushes are not enabled on this server")
	}
	j, err := s.deps.Push.Start(ctx, a.OrgID, a.UserID, push.Request{SegmentID: in.SegmentID,
		ConnectionID: in.Body.ConnectionID, Destination: in.Body.Destination})
	if err != nil {
		return nil, pushError(err)
	}
	ev := auditOf(ctx)
	ev.Target = "segment:" + in.SegmentID
	ev.Details = map[string]string{"connection_id": in.Body.ConnectionID,
		"destination": strings.TrimSpace(in.Body.Destination), "job_id": j.ID}
	return &pushSegmentOutput{Location: "/v1/jobs/" + j.ID, Body: jobItem(j)}, nil
}

// pushError gives Start's errors their public words and body field names.
func pushError(err error) error {
	var fe *omnify.FieldError
	switch {
	case errors.Is(err, push.ErrNoRun):
		return fail(omnify.ErrNotFound, "no EYES run has succeeded yet; start one with POST /v1/eyes/runs")
	case errors.Is(err, push.ErrNoSegment):
		return fail(omnify.ErrNotFound, "no such segment in the latest EYES run")
	case errors.Is(err, push.ErrBusy):
		return fail(omnify.ErrConflict, "a push to this audience is already queued or running; wait for it to finish")
	case errors.As(err, &fe):
		return omnify.Invalid("body."+fe.Field, "%s", fe.Message)
	case errors.Is(err, omnify.ErrNotFound):
		return fail(omnify.ErrNotFound, "no such connection")
	}
	return err
}

type segmentPushesInput struct {
	SegmentID string `path:"segment_id" maxLength:"100"`
}

// SegmentPush is one push of a segment: where it went and its job.
type SegmentPush struct {
	ConnectionID string  `json:"connection_id"`
	Destination  string  `json:"destination"`
	Job          JobItem `json:"job"`
}

type segmentPushesOutput struct {
	Body struct {
		Items []SegmentPush `json:"items"`
	}
}

func (s *Server) registerPushes() {
	Register(s, huma.Operation{OperationID: "eyes.pushes", Method: http.MethodGet,
		Path:    "/v1/eyes/segments/{segment_id}/pushes",
		Summary: "List a segment's pushes to platform audiences among the organisation's 1,000 most recent jobs, newest first",
		Tags:    []string{"EYES"}}, s.listSegmentPushes)
}

func (s *Server) listSegmentPushes(ctx context.Context, in *segmentPushesInput) (*segmentPushesOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	out := &segmentPushesOutput{}
	out.Body.Items = []SegmentPush{}
	page := store.Page{Limit: 200}
	for seen := 0; seen < push.RecentJobs; {
		js, next, err := s.deps.Store.ListJobs(ctx, a.OrgID, page)
		if err != nil {
			return nil, fmt.Errorf("list segment pushes: %w", err)
		}
		for i := range js {
			if r, ok := push.RequestOf(&js[i]); ok && r.SegmentID == in.SegmentID {
				out.Body.Items = append(out.Body.Items, SegmentPush{ConnectionID: r.ConnectionID,
					Destination: r.Destination, Job: jobItem(&js[i])})
			}
		}
		seen += len(js)
		if next == "" {
			break
		}
		page.After = next
	}
	return out, nil
}
