package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/push"
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
		Tags: []string{"EYES"}, DefaultStatus: http.StatusAccepted}, s.pushSegment)
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
	ev.Details = map[string]string{"connection_id": in.Body.ConnectionID, "destination": in.Body.Destination,
		"job_id": j.ID}
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
	case errors.As(err, &fe):
		return omnify.Invalid("body."+fe.Field, "%s", fe.Message)
	case errors.Is(err, omnify.ErrNotFound):
		return fail(omnify.ErrNotFound, "no such connection")
	}
	return err
}
