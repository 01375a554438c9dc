package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// JobItem is one background job (a sync, an EYES run) as the API shows it.
// Its payload stays internal.
type JobItem struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind" doc:"What the job does, e.g. sync or eyes.run."`
	Status      string    `json:"status" enum:"queued,running,succeeded,failed,dead" doc:"failed: an attempt failed and the job waits for its retry; dead: no attempt left, an admin may retry it."`
	Attempts    int       `json:"attempts"`
	MaxAttempts int       `json:"max_attempts"`
	RunAt       time.Time `json:"run_at" doc:"When the job runs next, or ran last."`
	Progress    any       `json:"progress,omitempty"`
	Result      any       `json:"result,omitempty"`
	Error       string    `json:"error,omitempty" doc:"The last attempt's error."`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func jobItem(j *omnify.Job) JobItem {
	return JobItem{ID: j.ID, Kind: j.Kind, Status: string(j.Status), Attempts: j.Attempts, MaxAttempts: j.MaxAttempts,
		RunAt: j.RunAt, Progress: rawDoc(j.Progress), Result: rawDoc(j.Result), Error: j.Error,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt}
}

// rawDoc decodes a stored JSON document; nothing when absent or unreadable.
func rawDoc(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}

type jobsListInput struct {
	Limit int    `query:"limit" minimum:"0" maximum:"1000" doc:"Page size; 0 means 50."`
	After string `query:"after" maxLength:"500" doc:"The next cursor of the previous page."`
}

type jobsListOutput struct {
	Body struct {
		Items []JobItem `json:"items"`
		Next  string    `json:"next,omitempty"`
	}
}

type jobInput struct {
	JobID string `path:"job_id" maxLength:"100"`
}

type jobOutput struct{ Body JobItem }

func (s *Server) registerJobs() {
	tags := []string{"Jobs"}
	Register(s, huma.Operation{OperationID: "jobs.list", Method: http.MethodGet, Path: "/v1/jobs",
		Summary: "List the organisation's background jobs, newest first", Tags: tags}, s.listJobs)
	Register(s, huma.Operation{OperationID: "jobs.get", Method: http.MethodGet, Path: "/v1/jobs/{job_id}",
		Summary: "Get one background job with its progress or result", Tags: tags}, s.getJob)
	Register(s, huma.Operation{OperationID: "jobs.retry", Method: http.MethodPost, Path: "/v1/jobs/{job_id}/retry",
		Summary: "Queue a dead job again with a fresh attempt budget", Tags: tags}, s.retryJob)
}

func (s *Server) listJobs(ctx context.Context, in *jobsListInput) (*jobsListOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	js, next, err := s.deps.Store.ListJobs(ctx, a.OrgID, store.Page{Limit: in.Limit, After: in.After})
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	out := &jobsListOutput{}
	out.Body.Items = make([]JobItem, len(js))
	for i := range js {
		out.Body.Items[i] = jobItem(&js[i])
	}
	out.Body.Next = next
	return out, nil
}

func (s *Server) getJob(ctx context.Context, in *jobInput) (*jobOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	j, err := s.deps.Store.GetJob(ctx, a.OrgID, in.JobID)
	if err != nil {
		return nil, fmt.Errorf("get job: %w", err)
	}
	return &jobOutput{Body: jobItem(j)}, nil
}

func (s *Server) retryJob(ctx context.Context, in *jobInput) (*jobOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if s.deps.Jobs == nil {
		return nil, fail(omnify.ErrUnavailable, "background jobs are not enabled on this server")
	}
	j, err := s.deps.Jobs.Retry(ctx, a.OrgID, in.JobID)
	if err != nil {
		return nil, fmt.Errorf("retry job: %w", err)
	}
	auditOf(ctx).Target = "job:" + j.ID
	return &jobOutput{Body: jobItem(j)}, nil
}
