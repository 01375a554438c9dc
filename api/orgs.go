package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
)

// OrgDetail is an organisation with its creation time.
type OrgDetail struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// OrgPath is the org_id path parameter. It is exported so the OpenAPI
// document lists the parameter of every operation that embeds it.
type OrgPath struct {
	OrgID string `path:"org_id" maxLength:"100" doc:"The organisation's ID; must be the token's org."`
}

type orgOutput struct {
	Body OrgDetail
}

type orgUpdateInput struct {
	OrgPath
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"100"`
	}
}

func (s *Server) registerOrgs() {
	tags := []string{"Organisations"}
	Register(s, huma.Operation{OperationID: "orgs.get", Method: http.MethodGet, Path: "/v1/orgs/{org_id}",
		Summary: "Get the organisation", Tags: tags}, s.getOrg)
	Register(s, huma.Operation{OperationID: "orgs.update", Method: http.MethodPatch, Path: "/v1/orgs/{org_id}",
		Summary: "Rename the organisation", Tags: tags}, s.updateOrg)
}

func (s *Server) getOrg(ctx context.Context, _ *OrgPath) (*orgOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.deps.Store.GetOrg(ctx, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("load org: %w", err)
	}
	return &orgOutput{Body: OrgDetail{ID: o.ID, Name: o.Name, CreatedAt: o.CreatedAt}}, nil
}

func (s *Server) updateOrg(ctx context.Context, in *orgUpdateInput) (*orgOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Body.Name)
	if name == "" {
		return nil, omnify.Invalid("body.name", "must not be blank")
	}
	o, err := s.deps.Store.GetOrg(ctx, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("load org: %w", err)
	}
	old := o.Name
	o.Name = name
	if err := s.deps.Store.UpdateOrg(ctx, o); err != nil {
		return nil, fmt.Errorf("update org: %w", err)
	}
	s.cache.forgetProfiles()
	ev := auditOf(ctx)
	ev.Target, ev.Details = "org:"+o.ID, map[string]string{"old_name": old, "new_name": name}
	return &orgOutput{Body: OrgDetail{ID: o.ID, Name: o.Name, CreatedAt: o.CreatedAt}}, nil
}
