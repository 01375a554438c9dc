package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
)

// MembershipView is one org the user belongs to.
type MembershipView struct {
	OrgID   string      `json:"org_id"`
	OrgName string      `json:"org_name"`
	Role    omnify.Role `json:"role" enum:"owner,admin,analyst,viewer"`
	// branding travels with the cached profile so /v1/me can show the
	// current org's; it is dropped with the profile when branding changes.
	branding Branding
}

// Me is the signed-in user, the org of their token and every org they
// belong to.
type Me struct {
	User        UserView         `json:"user"`
	Org         OrgView          `json:"org"`
	Role        omnify.Role      `json:"role" enum:"owner,admin,analyst,viewer"`
	Memberships []MembershipView `json:"memberships"`
	// Branding is the current org's.
	Branding Branding `json:"branding"`
}

type meOutput struct {
	Body *Me
}

func (s *Server) registerMe() {
	Register(s, huma.Operation{OperationID: "me.get", Method: http.MethodGet, Path: "/v1/me",
		Summary: "The signed-in user, their current organisation and all memberships", Tags: []string{"Auth"}}, s.me)
}

func (s *Server) me(ctx context.Context, _ *struct{}) (*meOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	email, ms, err := s.profile(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	me := &Me{User: UserView{ID: a.UserID, Email: email}, Role: a.Role, Memberships: ms}
	for _, m := range ms {
		if m.OrgID == a.OrgID {
			me.Org = OrgView{ID: m.OrgID, Name: m.OrgName}
			me.Branding = m.branding
		}
	}
	return &meOutput{Body: me}, nil
}

// profile returns the user's email and memberships with org names, from
// the cache when fresh (the same TTL and invalidation as cached roles).
func (s *Server) profile(ctx context.Context, userID string) (string, []MembershipView, error) {
	if email, ms, ok := s.cache.profile(userID); ok {
		return email, ms, nil
	}
	u, err := s.deps.Store.GetUser(ctx, userID)
	if err != nil {
		return "", nil, fmt.Errorf("load user: %w", err)
	}
	ms, err := s.deps.Store.ListUserMemberships(ctx, userID)
	if err != nil {
		return "", nil, fmt.Errorf("list memberships: %w", err)
	}
	views := make([]MembershipView, 0, len(ms))
	for _, m := range ms {
		o, err := s.deps.Store.GetOrg(ctx, m.OrgID)
		if err != nil {
			return "", nil, fmt.Errorf("load org %s: %w", m.OrgID, err)
		}
		views = append(views, MembershipView{OrgID: o.ID, OrgName: o.Name, Role: m.Role, branding: brandingView(o.Branding)})
	}
	s.cache.putProfile(userID, u.Email, views)
	return u.Email, views, nil
}
