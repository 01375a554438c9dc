package api

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
)

// readyTimeout bounds each dependency check so a hung backend reads as down.
const readyTimeout = 2 * time.Second

type liveOutput struct {
	Body struct {
		Status  string `json:"status" enum:"ok"`
		Version string `json:"version"`
	}
}

type readyOutput struct {
	Status int
	Body   struct {
		Status string            `json:"status" enum:"ok,unavailable"`
		Checks map[string]string `json:"checks" doc:"Each dependency: ok, or why it is down."`
	}
}

func (s *Server) registerHealth() {
	tags := []string{"Health"}
	Register(s, huma.Operation{OperationID: "health.live", Method: http.MethodGet, Path: "/health",
		Summary: "Liveness: the process answers", Tags: tags}, s.live)
	Register(s, huma.Operation{OperationID: "health.ready", Method: http.MethodGet, Path: "/health/ready",
		Summary: "Readiness: every dependency answers", Tags: tags,
		Responses: map[string]*huma.Response{"503": {Description: "A dependency is down"}}}, s.ready)
}

func (s *Server) live(context.Context, *struct{}) (*liveOutput, error) {
	out := &liveOutput{}
	out.Body.Status, out.Body.Version = "ok", omnify.Version
	return out, nil
}

func (s *Server) ready(ctx context.Context, _ *struct{}) (*readyOutput, error) {
	checks := map[string]func(context.Context) error{"store": s.deps.Store.Ping}
	for name, fn := range s.deps.ReadyChecks {
		checks[name] = fn
	}
	names := make([]string, 0, len(checks))
	for name := range checks {
		names = append(names, name)
	}
	sort.Strings(names)
	out := &readyOutput{Status: http.StatusOK}
	out.Body.Status, out.Body.Checks = "ok", make(map[string]string, len(checks))
	for _, name := range names {
		out.Body.Checks[name] = runCheck(ctx, checks[name])
		if out.Body.Checks[name] != "ok" {
			out.Body.Status, out.Status = "unavailable", http.StatusServiceUnavailable
		}
	}
	return out, nil
}

func runCheck(ctx context.Context, fn func(context.Context) error) string {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	if err := fn(ctx); err != nil {
		return err.Error()
	}
	return "ok"
}
