package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/syncer"
)

// ConnectionSyncer connects platforms and starts syncs (package syncer).
type ConnectionSyncer interface {
	Connect(ctx context.Context, orgID string, in syncer.ConnectInput) (*omnify.Connection, error)
	Update(ctx context.Context, orgID, connectionID string, in syncer.UpdateInput) (*omnify.Connection, error)
	StartSync(ctx context.Context, orgID, connectionID string, mode omnify.SyncMode, streams []string) (*omnify.SyncRun, error)
}

// Platform is one connector of the catalog: what it needs and offers.
type Platform struct {
	Platform          string               `json:"platform"`
	DisplayName       string               `json:"display_name"`
	CredentialsSchema map[string]any       `json:"credentials_schema"`
	ConfigSchema      map[string]any       `json:"config_schema"`
	SecretFields      []string             `json:"secret_fields" doc:"Credential fields that are encrypted at rest and never returned."`
	OAuth             *connector.OAuthSpec `json:"oauth,omitempty"`
	Docs              string               `json:"docs,omitempty"`
	Streams           []connector.Stream   `json:"streams"`
	Actions           []connector.Action   `json:"actions"`
}

type platformsOutput struct {
	Body struct {
		Items []Platform `json:"items"`
	}
}

// ConnectionItem is a connection as the API shows it: never its
// credentials.
type ConnectionItem struct {
	ID               string            `json:"id"`
	Platform         string            `json:"platform"`
	Name             string            `json:"name"`
	Config           map[string]string `json:"config"`
	Health           string            `json:"health" enum:"healthy,degraded,failing,disconnected"`
	LastError        string            `json:"last_error,omitempty" doc:"Why the last attempt failed, in plain words."`
	Failures         int               `json:"failures" doc:"Failed attempts in a row."`
	NextRetryAt      *time.Time        `json:"next_retry_at,omitempty"`
	LastSyncAt       *time.Time        `json:"last_sync_at,omitempty"`
	SyncEveryMinutes int               `json:"sync_every_minutes" doc:"Interval of scheduled syncs; 0 means off."`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func connectionItem(c *omnify.Connection) ConnectionItem {
	cfg := c.Config
	if cfg == nil {
		cfg = map[string]string{}
	}
	return ConnectionItem{ID: c.ID, Platform: c.Platform, Name: c.Name, Config: cfg, Health: string(c.Health),
		LastError: c.LastError, Failures: c.Failures, NextRetryAt: optTime(c.NextRetryAt),
		LastSyncAt: optTime(c.LastSyncAt), SyncEveryMinutes: int(c.ScheduleEvery / time.Minute),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// SyncRunItem is one sync run with its progress per stream.
type SyncRunItem struct {
	ID           string                           `json:"id"`
	ConnectionID string                           `json:"connection_id"`
	JobID        string                           `json:"job_id"`
	Mode         string                           `json:"mode" enum:"incremental,full,backfill"`
	Streams      []string                         `json:"streams" doc:"The streams read; empty means all."`
	Trigger      string                           `json:"trigger" enum:"manual,schedule,webhook"`
	Status       string                           `json:"status" enum:"queued,running,succeeded,failed,dead" doc:"failed: the attempt failed and will be retried; dead: no more retries."`
	Progress     map[string]omnify.StreamProgress `json:"progress"`
	Error        string                           `json:"error,omitempty"`
	CreatedAt    time.Time                        `json:"created_at"`
	StartedAt    *time.Time                       `json:"started_at,omitempty"`
	FinishedAt   *time.Time                       `json:"finished_at,omitempty"`
}

func syncRunItem(r *omnify.SyncRun) SyncRunItem {
	p := r.Progress
	if p == nil {
		p = map[string]omnify.StreamProgress{}
	}
	streams := r.Streams
	if streams == nil {
		streams = []string{}
	}
	return SyncRunItem{ID: r.ID, ConnectionID: r.ConnectionID, JobID: r.JobID, Mode: string(r.Mode), Streams: streams,
		Trigger: r.Trigger, Status: string(r.Status), Progress: p, Error: r.Error, CreatedAt: r.CreatedAt,
		StartedAt: optTime(r.StartedAt), FinishedAt: r.FinishedAt}
}

type connectInput struct {
	Body struct {
		Platform         string         `json:"platform" minLength:"1" maxLength:"50" doc:"A platform of GET /v1/platforms."`
		Name             string         `json:"name,omitempty" maxLength:"200" doc:"Default: the platform's name."`
		Credentials      map[string]any `json:"credentials,omitempty" doc:"As the platform's credentials_schema says; never returned."`
		Config           map[string]any `json:"config,omitempty" doc:"As the platform's config_schema says."`
		SyncEveryMinutes *int           `json:"sync_every_minutes,omitempty" minimum:"0" maximum:"10080" doc:"Interval of scheduled syncs; 0 turns them off. Default 60."`
	}
}

type connectionOutput struct{ Body ConnectionItem }

type connectionsInput struct {
	Limit int    `query:"limit" minimum:"0" maximum:"1000" doc:"Page size; 0 means 50."`
	After string `query:"after" maxLength:"500" doc:"The next cursor of the previous page."`
}

type connectionsOutput struct {
	Body struct {
		Items []ConnectionItem `json:"items"`
		Next  string           `json:"next,omitempty"`
	}
}

type connectionInput struct {
	ConnectionID string `path:"connection_id" maxLength:"100"`
}

type updateInput struct {
	ConnectionID string `path:"connection_id" maxLength:"100"`
	Body         struct {
		Name             *string        `json:"name,omitempty" maxLength:"200"`
		Credentials      map[string]any `json:"credentials,omitempty" doc:"Replaces all the credentials; checked with the platform. Reconnects a disconnected connection, keeping its sync state."`
		Config           map[string]any `json:"config,omitempty" doc:"Replaces the config; checked with the platform."`
		SyncEveryMinutes *int           `json:"sync_every_minutes,omitempty" minimum:"0" maximum:"10080" doc:"Interval of scheduled syncs; 0 turns them off."`
	}
}

type syncInput struct {
	ConnectionID string `path:"connection_id" maxLength:"100"`
	Body         struct {
		Mode    string   `json:"mode,omitempty" enum:"incremental,full,backfill" default:"incremental" doc:"incremental resumes each stream; full rereads the chosen streams; backfill rereads only the named streams."`
		Streams []string `json:"streams,omitempty" maxItems:"20" doc:"Streams to read; default all (a backfill needs them)."`
	}
}

type syncRunOutput struct{ Body SyncRunItem }

type syncRunsInput struct {
	ConnectionID string `path:"connection_id" maxLength:"100"`
	Limit        int    `query:"limit" minimum:"0" maximum:"1000" doc:"Page size; 0 means 50."`
	After        string `query:"after" maxLength:"500" doc:"The next cursor of the previous page."`
}

type syncRunsOutput struct {
	Body struct {
		Items []SyncRunItem `json:"items"`
		Next  string        `json:"next,omitempty"`
	}
}

func (s *Server) registerConnections() {
	tags := []string{"Connections"}
	Register(s, huma.Operation{OperationID: "platforms.list", Method: http.MethodGet, Path: "/v1/platforms",
		Summary: "List the platforms this server can connect, with what each needs and offers", Tags: tags}, s.listPlatforms)
	Register(s, huma.Operation{OperationID: "connections.connect", Method: http.MethodPost, Path: "/v1/platforms/connect",
		Summary: "Connect a platform account: the credentials are checked with the platform, then stored encrypted",
		Tags:    tags, DefaultStatus: http.StatusCreated}, s.connect)
	Register(s, huma.Operation{OperationID: "connections.list", Method: http.MethodGet, Path: "/v1/connections",
		Summary: "List the organisation's connections with their health", Tags: tags}, s.listConnections)
	Register(s, huma.Operation{OperationID: "connections.get", Method: http.MethodGet, Path: "/v1/connections/{connection_id}",
		Summary: "Get one connection with its health", Tags: tags}, s.getConnection)
	Register(s, huma.Operation{OperationID: "connections.update", Method: http.MethodPatch,
		Path: "/v1/connections/{connection_id}", Summary: "Rename a connection, change its schedule or replace its credentials",
		Tags: tags}, s.updateConnection)
	Register(s, huma.Operation{OperationID: "connections.delete", Method: http.MethodDelete,
		Path: "/v1/connections/{connection_id}", Summary: "Delete a connection with its sync history and saved state",
		Tags: tags, DefaultStatus: http.StatusNoContent}, s.deleteConnection)
	Register(s, huma.Operation{OperationID: "connections.sync", Method: http.MethodPost,
		Path: "/v1/connections/{connection_id}/sync", Summary: "Start a sync of a connection as a background job",
		Tags: tags, DefaultStatus: http.StatusAccepted}, s.startSync)
	Register(s, huma.Operation{OperationID: "connections.syncs", Method: http.MethodGet,
		Path: "/v1/connections/{connection_id}/syncs", Summary: "List a connection's syncs with their progress, newest first",
		Tags: tags}, s.listSyncs)
}

func (s *Server) listPlatforms(ctx context.Context, _ *struct{}) (*platformsOutput, error) {
	if _, err := mustAuth(ctx); err != nil {
		return nil, err
	}
	out := &platformsOutput{}
	out.Body.Items = []Platform{}
	if s.deps.Connectors == nil {
		return out, nil
	}
	for _, name := range s.deps.Connectors.Platforms() {
		c, _ := s.deps.Connectors.Get(name)
		spec := c.Spec()
		out.Body.Items = append(out.Body.Items, Platform{Platform: spec.Platform, DisplayName: spec.DisplayName,
			CredentialsSchema: spec.Credentials, ConfigSchema: spec.Config, SecretFields: nonNil(syncer.Secrets(spec)),
			OAuth: spec.OAuth, Docs: spec.Docs, Streams: nonNil(c.Streams()), Actions: nonNil(c.Actions())})
	}
	return out, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) connect(ctx context.Context, in *connectInput) (*connectionOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if s.deps.Syncer == nil {
		return nil, omnify.Invalid("body.platform", "no platform can be connected on this server")
	}
	every := omnify.DefaultScheduleEvery
	if in.Body.SyncEveryMinutes != nil {
		every = time.Duration(*in.Body.SyncEveryMinutes) * time.Minute
	}
	c, err := s.deps.Syncer.Connect(ctx, a.OrgID, syncer.ConnectInput{Platform: in.Body.Platform, Name: in.Body.Name,
		Credentials: in.Body.Credentials, Config: in.Body.Config, ScheduleEvery: every})
	if err != nil {
		return nil, err
	}
	auditOf(ctx).Target = "connection:" + c.ID
	return &connectionOutput{Body: connectionItem(c)}, nil
}

func (s *Server) listConnections(ctx context.Context, in *connectionsInput) (*connectionsOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	cs, next, err := s.deps.Store.ListConnections(ctx, a.OrgID, store.Page{Limit: in.Limit, After: in.After})
	if err != nil {
		return nil, fmt.Errorf("list connections: %w", err)
	}
	out := &connectionsOutput{}
	out.Body.Items = make([]ConnectionItem, len(cs))
	for i := range cs {
		out.Body.Items[i] = connectionItem(&cs[i])
	}
	out.Body.Next = next
	return out, nil
}

func (s *Server) getConnection(ctx context.Context, in *connectionInput) (*connectionOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.deps.Store.GetConnection(ctx, a.OrgID, in.ConnectionID)
	if err != nil {
		return nil, fmt.Errorf("get connection: %w", err)
	}
	return &connectionOutput{Body: connectionItem(c)}, nil
}

func (s *Server) updateConnection(ctx context.Context, in *updateInput) (*connectionOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.deps.Store.GetConnection(ctx, a.OrgID, in.ConnectionID); err != nil {
		return nil, fmt.Errorf("update connection: %w", err)
	}
	if s.deps.Syncer == nil {
		return nil, fail(omnify.ErrUnavailable, "connections cannot be changed on this server")
	}
	up := syncer.UpdateInput{Name: in.Body.Name, Credentials: in.Body.Credentials, Config: in.Body.Config}
	if m := in.Body.SyncEveryMinutes; m != nil {
		every := time.Duration(*m) * time.Minute
		up.ScheduleEvery = &every
	}
	c, err := s.deps.Syncer.Update(ctx, a.OrgID, in.ConnectionID, up)
	if err != nil {
		return nil, err
	}
	auditOf(ctx).Target = "connection:" + c.ID
	return &connectionOutput{Body: connectionItem(c)}, nil
}

func (s *Server) deleteConnection(ctx context.Context, in *connectionInput) (*struct{}, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.deps.Store.DeleteConnection(ctx, a.OrgID, in.ConnectionID); err != nil {
		return nil, fmt.Errorf("delete connection: %w", err)
	}
	auditOf(ctx).Target = "connection:" + in.ConnectionID
	return nil, nil
}

func (s *Server) startSync(ctx context.Context, in *syncInput) (*syncRunOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.deps.Store.GetConnection(ctx, a.OrgID, in.ConnectionID); err != nil {
		return nil, fmt.Errorf("start sync: %w", err)
	}
	if s.deps.Syncer == nil {
		return nil, fail(omnify.ErrUnavailable, "syncs are not enabled on this server")
	}
	mode := omnify.SyncMode(in.Body.Mode)
	if mode == "" {
		mode = omnify.SyncIncremental
	}
	run, err := s.deps.Syncer.StartSync(ctx, a.OrgID, in.ConnectionID, mode, in.Body.Streams)
	switch {
	case errors.Is(err, syncer.ErrBusy):
		return nil, fail(omnify.ErrConflict, "a sync of this connection is already queued or running")
	case errors.Is(err, syncer.ErrDisconnected):
		return nil, fail(omnify.ErrConflict, "the platform refused this connection's credentials; give it new credentials first")
	case err != nil:
		return nil, err
	}
	auditOf(ctx).Target = "sync_run:" + run.ID
	return &syncRunOutput{Body: syncRunItem(run)}, nil
}

func (s *Server) listSyncs(ctx context.Context, in *syncRunsInput) (*syncRunsOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.deps.Store.GetConnection(ctx, a.OrgID, in.ConnectionID); err != nil {
		return nil, fmt.Errorf("list syncs: %w", err)
	}
	rs, next, err := s.deps.Store.ListSyncRuns(ctx, a.OrgID, in.ConnectionID, store.Page{Limit: in.Limit, After: in.After})
	if err != nil {
		return nil, fmt.Errorf("list syncs: %w", err)
	}
	out := &syncRunsOutput{}
	out.Body.Items = make([]SyncRunItem, len(rs))
	for i := range rs {
		out.Body.Items[i] = syncRunItem(&rs[i])
	}
	out.Body.Next = next
	return out, nil
}
