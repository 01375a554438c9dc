package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

type auditKey struct{}

// auditOf returns the audit event the guard writes when the operation
// succeeds. Handlers set its Target and Details; public operations also set
// the org and actor they discovered.
func auditOf(ctx context.Context) *omnify.AuditEvent {
	if ev, ok := ctx.Value(auditKey{}).(*omnify.AuditEvent); ok {
		return ev
	}
	return &omnify.AuditEvent{}
}

// appendAudit stores a successful operation's event. The operation has
// already happened, so a failure here is logged, not reported.
func (s *Server) appendAudit(ctx context.Context, ev *omnify.AuditEvent) {
	if ev.OrgID == "" {
		return // nothing happened to any org, e.g. logout with an unknown token
	}
	ev.ID = s.deps.NewID()
	ev.CreatedAt = s.deps.Now().UTC()
	if err := s.deps.Store.AppendAudit(ctx, ev); err != nil {
		s.logInternal(ctx, fmt.Errorf("append audit %s: %w", ev.Action, err))
	}
}

type auditListInput struct {
	OrgID   string    `path:"org_id" doc:"The organisation's ID; must be the token's org."`
	Action  string    `query:"action" maxLength:"100" doc:"Only events of this action, e.g. members.invite."`
	ActorID string    `query:"actor_id" maxLength:"100" doc:"Only events by this user."`
	Since   time.Time `query:"since" doc:"Only events at or after this time (RFC 3339)."`
	Until   time.Time `query:"until" doc:"Only events before this time (RFC 3339)."`
	Limit   int       `query:"limit" minimum:"0" maximum:"1000" doc:"Page size; 0 means 50."`
	After   string    `query:"after" maxLength:"500" doc:"The next cursor of the previous page."`
}

// AuditItem is one audit event as the API shows it.
type AuditItem struct {
	ID        string            `json:"id"`
	ActorID   string            `json:"actor_id,omitempty"`
	Action    string            `json:"action"`
	Target    string            `json:"target,omitempty"`
	IP        string            `json:"ip,omitempty"`
	UserAgent string            `json:"user_agent,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Details   map[string]string `json:"details,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
}

type auditListOutput struct {
	Body struct {
		Items []AuditItem `json:"items"`
		Next  string      `json:"next,omitempty" doc:"Cursor of the next page; absent on the last."`
	}
}

func (s *Server) registerAudit() {
	Register(s, huma.Operation{
		OperationID: "audit.list", Method: http.MethodGet, Path: "/v1/orgs/{org_id}/audit",
		Summary: "List the organisation's audit log, newest first", Tags: []string{"Audit"},
	}, s.listAudit)
}

func (s *Server) listAudit(ctx context.Context, in *auditListInput) (*auditListOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	f := store.AuditFilter{Action: in.Action, ActorID: in.ActorID, Since: in.Since, Until: in.Until}
	es, next, err := s.deps.Store.ListAudit(ctx, a.OrgID, f, store.Page{Limit: in.Limit, After: in.After})
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", pageError(err))
	}
	out := &auditListOutput{}
	out.Body.Items = make([]AuditItem, len(es))
	for i, e := range es {
		out.Body.Items[i] = AuditItem{ID: e.ID, ActorID: e.ActorID, Action: e.Action, Target: e.Target,
			IP: e.IP, UserAgent: e.UserAgent, RequestID: e.RequestID, Details: e.Details, CreatedAt: e.CreatedAt}
	}
	out.Body.Next = next
	return out, nil
}
