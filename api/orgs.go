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
	Branding  Branding  `json:"branding"`
}

func orgDetail(o *omnify.Org) OrgDetail {
	return OrgDetail{ID: o.ID, Name: o.Name, CreatedAt: o.CreatedAt, Branding: brandingView(o.Branding)}
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
		Name     *string        `json:"name,omitempty" minLength:"1" maxLength:"100" doc:"Absent keeps the name."`
		Branding *BrandingPatch `json:"branding,omitempty" doc:"Absent keeps the branding."`
	}
}

func (s *Server) registerOrgs() {
	tags := []string{"Organisations"}
	Register(s, huma.Operation{OperationID: "orgs.get", Method: http.MethodGet, Path: "/v1/orgs/{org_id}",
		Summary: "Get the organisation", Tags: tags}, s.getOrg)
	Register(s, huma.Operation{OperationID: "orgs.update", Method: http.MethodPatch, Path: "/v1/orgs/{org_id}",
		Summary: "Rename the organisation or change its branding", Tags: tags}, s.updateOrg)
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
	return &orgOutput{Body: orgDetail(o)}, nil
}

func (s *Server) updateOrg(ctx context.Context, in *orgUpdateInput) (*orgOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.deps.Store.GetOrg(ctx, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("load org: %w", err)
	}
	before := *o
	if err := applyOrgPatch(o, in); err != nil {
		return nil, err
	}
	if err := s.deps.Store.UpdateOrg(ctx, o); err != nil {
		return nil, fmt.Errorf("update org: %w", err)
	}
	s.cache.forgetProfiles()
	ev := auditOf(ctx)
	ev.Target, ev.Details = "org:"+o.ID, orgChanges(&before, o)
	return &orgOutput{Body: orgDetail(o)}, nil
}

// applyOrgPatch validates the patch and applies it to o.
func applyOrgPatch(o *omnify.Org, in *orgUpdateInput) error {
	if in.Body.Name == nil && in.Body.Branding == nil {
		return omnify.Invalid("body", "nothing to change: send name or branding")
	}
	if in.Body.Name != nil {
		name := strings.TrimSpace(*in.Body.Name)
		if name == "" {
			return omnify.Invalid("body.name", "must not be blank")
		}
		o.Name = name
	}
	if in.Body.Branding != nil {
		return in.Body.Branding.apply(&o.Branding)
	}
	return nil
}

// orgChanges is the audit detail of an update: what changed, the logo only
// as a flag (it is too large for the log).
func orgChanges(before, after *omnify.Org) map[string]string {
	d := map[string]string{}
	if before.Name != after.Name {
		d["old_name"], d["new_name"] = before.Name, after.Name
	}
	b, a := before.Branding, after.Branding
	if b.DisplayName != a.DisplayName {
		d["display_name"] = a.DisplayName
	}
	if b.PrimaryColor != a.PrimaryColor {
		d["primary_color"] = a.PrimaryColor
	}
	if b.LogoURL != a.LogoURL {
		d["logo_changed"] = "true"
	}
	return d
}
