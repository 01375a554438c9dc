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
}

// Me is the signed-in user, the org of their token and every org they
// belong to.
type Me struct {
	User        UserView         `json:"user"`
	Org         OrgView          `json:"org"`
	Role        omnify.Role      `json:"role" enum:"owner,admin,analyst,viewer"`
	Memberships []MembershipView `json:"memberships"`
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
	u, err := s.deps.Store.GetUser(ctx, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	ms, err := s.deps.Store.ListUserMemberships(ctx, a.UserID)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	me := &Me{User: UserView{ID: u.ID, Email: u.Email}, Role: a.Role, Memberships: make([]MembershipView, 0, len(ms))}
	for _, m := range ms {
		o, err := s.deps.Store.GetOrg(ctx, m.OrgID)
		if err != nil {
			return nil, fmt.Errorf("load org %s: %w", m.OrgID, err)
		}
		me.Memberships = append(me.Memberships, MembershipView{OrgID: o.ID, OrgName: o.Name, Role: m.Role})
		if o.ID == a.OrgID {
			me.Org = OrgView{ID: o.ID, Name: o.Name}
		}
	}
	return &meOutput{Body: me}, nil
}
