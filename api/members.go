package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/auth"
	"github.com/omnify-cloud/omnify/store"
)

// Member is one member of an organisation.
type Member struct {
	UserID   string      `json:"user_id"`
	Email    string      `json:"email"`
	Role     omnify.Role `json:"role" enum:"owner,admin,analyst,viewer"`
	JoinedAt time.Time   `json:"joined_at"`
}

type memberOutput struct {
	Body Member
}

type memberListInput struct {
	OrgPath
	Limit int    `query:"limit" minimum:"0" maximum:"1000" doc:"Page size; 0 means 50."`
	After string `query:"after" maxLength:"500" doc:"The next cursor of the previous page."`
}

type memberListOutput struct {
	Body struct {
		Items []Member `json:"items"`
		Next  string   `json:"next,omitempty" doc:"Cursor of the next page; absent on the last."`
	}
}

type inviteInput struct {
	OrgPath
	Body struct {
		Email string      `json:"email" maxLength:"254" doc:"Email of an existing OmniFy account."`
		Role  omnify.Role `json:"role" enum:"owner,admin,analyst,viewer"`
	}
}

type memberPath struct {
	OrgPath
	UserID string `path:"user_id" maxLength:"100"`
}

// memberUpdateInput repeats memberPath's fields: huma reads parameters
// from one level of embedding only.
type memberUpdateInput struct {
	OrgID  string `path:"org_id" maxLength:"100" doc:"The organisation's ID; must be the token's org."`
	UserID string `path:"user_id" maxLength:"100"`
	Body   struct {
		Role omnify.Role `json:"role" enum:"owner,admin,analyst,viewer"`
	}
}

var (
	errOwnerOnly  = fail(omnify.ErrForbidden, "only an owner can grant or revoke the owner role")
	errLastOwner  = fail(omnify.ErrConflict, "an organisation must keep at least one owner")
	errNoMember   = fail(omnify.ErrNotFound, "member not found")
	errNoAccount  = fail(omnify.ErrNotFound, "no account uses this email; ask them to sign up, then invite them")
	errIsMember   = fail(omnify.ErrConflict, "already a member of this organisation")
	membersTag    = []string{"Members"}
	membersPath   = "/v1/orgs/{org_id}/members"
	oneMemberPath = membersPath + "/{user_id}"
)

func (s *Server) registerMembers() {
	Register(s, huma.Operation{OperationID: "members.list", Method: http.MethodGet, Path: membersPath,
		Summary: "List the organisation's members", Tags: membersTag}, s.listMembers)
	Register(s, huma.Operation{OperationID: "members.invite", Method: http.MethodPost, Path: membersPath,
		Summary: "Add an existing account to the organisation with a role", Tags: membersTag,
		Description: "The invitee needs an OmniFy account first: signing up creates one (with an " +
			"organisation of its own). Once added, they sign in with this organisation's ID, or " +
			"switch to it with /v1/auth/switch-org, and see it in /v1/me. Only an owner may add an owner.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict}}, s.invite)
	Register(s, huma.Operation{OperationID: "members.update", Method: http.MethodPatch, Path: oneMemberPath,
		Summary: "Change a member's role", Tags: membersTag, Errors: []int{http.StatusConflict}}, s.updateMember)
	Register(s, huma.Operation{OperationID: "members.remove", Method: http.MethodDelete, Path: oneMemberPath,
		Summary: "Remove a member", Tags: membersTag, DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusConflict}}, s.removeMember)
}

func (s *Server) listMembers(ctx context.Context, in *memberListInput) (*memberListOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	ms, next, err := s.deps.Store.ListMembers(ctx, a.OrgID, store.Page{Limit: in.Limit, After: in.After})
	if err != nil {
		return nil, fmt.Errorf("list members: %w", pageError(err))
	}
	out := &memberListOutput{}
	out.Body.Items = make([]Member, 0, len(ms))
	for _, m := range ms {
		u, err := s.deps.Store.GetUser(ctx, m.UserID)
		if err != nil {
			return nil, fmt.Errorf("load member %s: %w", m.UserID, err)
		}
		out.Body.Items = append(out.Body.Items, memberView(m, u))
	}
	out.Body.Next = next
	return out, nil
}

func memberView(m omnify.Membership, u *omnify.User) Member {
	return Member{UserID: m.UserID, Email: u.Email, Role: m.Role, JoinedAt: m.CreatedAt}
}

// invite adds an existing account to the org. Invitees sign up first (which
// gives them an org of their own), so no password ever travels by email.
func (s *Server) invite(ctx context.Context, in *inviteInput) (*memberOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	if in.Body.Role == omnify.RoleOwner && a.Role != omnify.RoleOwner {
		return nil, errOwnerOnly
	}
	email, err := auth.NormalizeEmail(in.Body.Email)
	if err != nil {
		return nil, err
	}
	u, err := s.deps.Store.GetUserByEmail(ctx, email)
	if isNotFound(err) {
		return nil, errNoAccount
	}
	if err != nil {
		return nil, fmt.Errorf("look up invitee: %w", err)
	}
	m := omnify.Membership{OrgID: a.OrgID, UserID: u.ID, Role: in.Body.Role, CreatedAt: s.deps.Now().UTC()}
	defer s.cache.forget(a.OrgID, u.ID)
	if err := s.deps.Store.AddMember(ctx, &m); errors.Is(err, omnify.ErrConflict) {
		return nil, errIsMember
	} else if err != nil {
		return nil, fmt.Errorf("add member: %w", err)
	}
	ev := auditOf(ctx)
	ev.Target, ev.Details = "user:"+u.ID, map[string]string{"role": string(m.Role)}
	return &memberOutput{Body: memberView(m, u)}, nil
}

func (s *Server) updateMember(ctx context.Context, in *memberUpdateInput) (*memberOutput, error) {
	a, m, err := s.targetMember(ctx, in.UserID)
	if err != nil {
		return nil, err
	}
	if (m.Role == omnify.RoleOwner || in.Body.Role == omnify.RoleOwner) && a.Role != omnify.RoleOwner {
		return nil, errOwnerOnly
	}
	defer s.cache.forget(a.OrgID, m.UserID)
	if err := s.deps.Store.SetRole(ctx, a.OrgID, m.UserID, in.Body.Role); errors.Is(err, omnify.ErrConflict) {
		return nil, errLastOwner
	} else if err != nil {
		return nil, fmt.Errorf("set role: %w", err)
	}
	u, err := s.deps.Store.GetUser(ctx, m.UserID)
	if err != nil {
		return nil, fmt.Errorf("load member: %w", err)
	}
	ev := auditOf(ctx)
	ev.Target, ev.Details = "user:"+m.UserID, map[string]string{"old_role": string(m.Role), "new_role": string(in.Body.Role)}
	m.Role = in.Body.Role
	return &memberOutput{Body: memberView(*m, u)}, nil
}

func (s *Server) removeMember(ctx context.Context, in *memberPath) (*struct{}, error) {
	a, m, err := s.targetMember(ctx, in.UserID)
	if err != nil {
		return nil, err
	}
	if m.Role == omnify.RoleOwner && a.Role != omnify.RoleOwner {
		return nil, errOwnerOnly
	}
	defer s.cache.forget(a.OrgID, m.UserID)
	if err := s.deps.Store.RemoveMember(ctx, a.OrgID, m.UserID); errors.Is(err, omnify.ErrConflict) {
		return nil, errLastOwner
	} else if err != nil {
		return nil, fmt.Errorf("remove member: %w", err)
	}
	ev := auditOf(ctx)
	ev.Target, ev.Details = "user:"+m.UserID, map[string]string{"role": string(m.Role)}
	return nil, nil
}

// targetMember loads the member a path names, within the caller's org.
func (s *Server) targetMember(ctx context.Context, userID string) (Auth, *omnify.Membership, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return a, nil, err
	}
	m, err := s.deps.Store.GetMembership(ctx, a.OrgID, userID)
	if isNotFound(err) {
		return a, nil, errNoMember
	}
	if err != nil {
		return a, nil, fmt.Errorf("load member: %w", err)
	}
	return a, m, nil
}
