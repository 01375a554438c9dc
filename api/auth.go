package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/auth"
)

// errBadLogin is the one answer to every failed sign-in, so a caller cannot
// tell an unknown email from a wrong password or a foreign org.
var errBadLogin = fail(omnify.ErrUnauthorized, "invalid email or password")

// errBadRefresh is the one answer to an unusable refresh token.
var errBadRefresh = fail(omnify.ErrUnauthorized, "invalid or expired refresh token; sign in again")

// UserView is a user as the API shows them.
type UserView struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

// OrgView is an organisation as the API shows it.
type OrgView struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Session is what signing in returns: a short-lived access token for the
// Authorization header and a one-time refresh token to get the next pair.
type Session struct {
	AccessToken  string      `json:"access_token"`
	RefreshToken string      `json:"refresh_token"`
	TokenType    string      `json:"token_type" enum:"Bearer"`
	ExpiresIn    int         `json:"expires_in" doc:"Seconds until the access token expires."`
	User         UserView    `json:"user"`
	Org          OrgView     `json:"org"`
	Role         omnify.Role `json:"role" enum:"owner,admin,analyst,viewer"`
}

type sessionOutput struct {
	Body *Session
}

type registerInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" example:"ana@example.com"`
		Password string `json:"password" maxLength:"1024" doc:"At least 12 characters, not a common password."`
		OrgName  string `json:"org_name" minLength:"1" maxLength:"100" example:"Acme Coffee"`
	}
}

type loginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254"`
		Password string `json:"password" maxLength:"1024"`
		OrgID    string `json:"org_id,omitempty" maxLength:"100" doc:"Org to sign in to; default: the user's first."`
	}
}

type refreshInput struct {
	Body struct {
		RefreshToken string `json:"refresh_token" minLength:"1" maxLength:"512"`
	}
}

type switchOrgInput struct {
	Body struct {
		OrgID string `json:"org_id" minLength:"1" maxLength:"100"`
	}
}

func (s *Server) registerAuth() {
	tags := []string{"Auth"}
	Register(s, huma.Operation{OperationID: "auth.register", Method: http.MethodPost, Path: "/v1/auth/register",
		Summary: "Create an account and its organisation", Tags: tags, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusConflict}}, s.register)
	Register(s, huma.Operation{OperationID: "auth.login", Method: http.MethodPost, Path: "/v1/auth/login",
		Summary: "Sign in", Tags: tags, Errors: []int{http.StatusUnauthorized}}, s.login)
	Register(s, huma.Operation{OperationID: "auth.refresh", Method: http.MethodPost, Path: "/v1/auth/refresh",
		Summary: "Exchange a refresh token for a new token pair", Tags: tags,
		Errors: []int{http.StatusUnauthorized}}, s.refresh)
	Register(s, huma.Operation{OperationID: "auth.logout", Method: http.MethodPost, Path: "/v1/auth/logout",
		Summary: "Sign out: revoke the refresh token and its family", Tags: tags,
		DefaultStatus: http.StatusNoContent}, s.logout)
	Register(s, huma.Operation{OperationID: "auth.switch-org", Method: http.MethodPost, Path: "/v1/auth/switch-org",
		Summary: "Get a token pair for another organisation you belong to", Tags: tags}, s.switchOrg)
}

func (s *Server) register(ctx context.Context, in *registerInput) (*sessionOutput, error) {
	email, err := auth.NormalizeEmail(in.Body.Email)
	if err != nil {
		return nil, err
	}
	if err := auth.ValidatePassword(in.Body.Password); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Body.OrgName)
	if name == "" {
		return nil, omnify.Invalid("body.org_name", "must not be blank")
	}
	if _, err := s.deps.Store.GetUserByEmail(ctx, email); err == nil {
		return nil, fail(omnify.ErrConflict, "an account with this email already exists")
	} else if !isNotFound(err) {
		return nil, fmt.Errorf("look up user: %w", err)
	}
	hash, err := s.deps.Hasher.Hash(ctx, in.Body.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	u, o, err := s.createAccount(ctx, email, hash, name)
	if err != nil {
		return nil, err
	}
	ev := auditOf(ctx)
	ev.OrgID, ev.ActorID, ev.Target = o.ID, u.ID, "user:"+u.ID
	return s.session(ctx, u, o, omnify.RoleOwner, "")
}

// createAccount stores the user, the org and the owner membership in one
// all-or-nothing store call, so a failure leaves nothing behind.
func (s *Server) createAccount(ctx context.Context, email, hash, orgName string) (*omnify.User, *omnify.Org, error) {
	now := s.deps.Now().UTC()
	o := &omnify.Org{ID: s.deps.NewID(), Name: orgName, CreatedAt: now}
	u := &omnify.User{ID: s.deps.NewID(), Email: email, PasswordHash: hash, CreatedAt: now}
	if err := s.deps.Store.CreateAccount(ctx, u, o); err != nil {
		if errors.Is(err, omnify.ErrConflict) {
			return nil, nil, fail(omnify.ErrConflict, "an account with this email already exists")
		}
		return nil, nil, fmt.Errorf("create account: %w", err)
	}
	return u, o, nil
}

func (s *Server) login(ctx context.Context, in *loginInput) (*sessionOutput, error) {
	email, err := auth.NormalizeEmail(in.Body.Email)
	if err != nil {
		return nil, err
	}
	ip := auditOf(ctx).IP
	if wait, err := s.throttle.Check(ctx, email, ip); errors.Is(err, omnify.ErrTooMany) {
		return nil, tooMany("too many failed sign-ins, retry later", wait)
	} else if err != nil {
		// Without the throttle, guessing would run unchecked: refuse.
		return nil, fmt.Errorf("%w: %w", omnify.ErrUnavailable, err)
	}
	u, m, err := s.checkCredentials(ctx, email, in.Body.Password, in.Body.OrgID)
	if err != nil {
		if errors.Is(err, omnify.ErrUnauthorized) {
			s.logIfErr(ctx, s.throttle.Failure(ctx, email, ip))
		}
		return nil, err
	}
	s.logIfErr(ctx, s.throttle.Success(ctx, email))
	o, err := s.deps.Store.GetOrg(ctx, m.OrgID)
	if err != nil {
		return nil, fmt.Errorf("load org: %w", err)
	}
	ev := auditOf(ctx)
	ev.OrgID, ev.ActorID, ev.Target = o.ID, u.ID, "user:"+u.ID
	return s.session(ctx, u, o, m.Role, "")
}

// checkCredentials verifies the password and picks the membership to sign
// in to. An unknown email still costs one hash verification so the answer
// takes as long as for a known one.
func (s *Server) checkCredentials(ctx context.Context, email, password, orgID string) (*omnify.User, *omnify.Membership, error) {
	u, err := s.deps.Store.GetUserByEmail(ctx, email)
	if isNotFound(err) {
		s.deps.Hasher.DummyVerify(ctx)
		return nil, nil, errBadLogin
	}
	if err != nil {
		return nil, nil, fmt.Errorf("look up user: %w", err)
	}
	ok, err := s.deps.Hasher.Verify(ctx, u.PasswordHash, password)
	if err != nil {
		return nil, nil, fmt.Errorf("verify password: %w", err)
	}
	if !ok {
		return nil, nil, errBadLogin
	}
	m, err := s.pickMembership(ctx, u.ID, orgID)
	return u, m, err
}

func (s *Server) pickMembership(ctx context.Context, userID, orgID string) (*omnify.Membership, error) {
	if orgID != "" {
		m, err := s.deps.Store.GetMembership(ctx, orgID, userID)
		if isNotFound(err) {
			return nil, errBadLogin
		}
		return m, err
	}
	ms, err := s.deps.Store.ListUserMemberships(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	if len(ms) == 0 {
		return nil, errBadLogin
	}
	return &ms[0], nil
}

func (s *Server) refresh(ctx context.Context, in *refreshInput) (*sessionOutput, error) {
	t, err := s.spendRefresh(ctx, in.Body.RefreshToken)
	if err != nil {
		return nil, err
	}
	m, err := s.deps.Store.GetMembership(ctx, t.OrgID, t.UserID)
	if isNotFound(err) {
		s.revoke(ctx, t.FamilyID)
		return nil, errBadRefresh
	}
	if err != nil {
		return nil, fmt.Errorf("load membership: %w", err)
	}
	u, o, err := s.userAndOrg(ctx, t.UserID, t.OrgID)
	if err != nil {
		return nil, err
	}
	ev := auditOf(ctx)
	ev.OrgID, ev.ActorID, ev.Target = o.ID, u.ID, "user:"+u.ID
	return s.session(ctx, u, o, m.Role, t.FamilyID)
}

// spendRefresh marks a refresh token used. A token presented twice has
// leaked, so its whole family is revoked.
func (s *Server) spendRefresh(ctx context.Context, token string) (*omnify.RefreshToken, error) {
	now := s.deps.Now()
	t, err := s.deps.Store.UseRefreshToken(ctx, auth.HashRefreshToken(token), now)
	switch {
	case errors.Is(err, omnify.ErrConflict) && t != nil:
		s.revoke(ctx, t.FamilyID)
		return nil, errBadRefresh
	case isNotFound(err), errors.Is(err, omnify.ErrConflict):
		return nil, errBadRefresh
	case err != nil:
		return nil, fmt.Errorf("use refresh token: %w", err)
	case !now.Before(t.ExpiresAt):
		s.revoke(ctx, t.FamilyID)
		return nil, errBadRefresh
	}
	return t, nil
}

func (s *Server) revoke(ctx context.Context, familyID string) {
	if err := s.deps.Store.RevokeFamily(ctx, familyID, s.deps.Now()); err != nil {
		s.logInternal(ctx, fmt.Errorf("revoke token family: %w", err))
	}
}

func (s *Server) logout(ctx context.Context, in *refreshInput) (*struct{}, error) {
	t, err := s.deps.Store.UseRefreshToken(ctx, auth.HashRefreshToken(in.Body.RefreshToken), s.deps.Now())
	if t == nil {
		if err != nil && !isNotFound(err) {
			return nil, fmt.Errorf("use refresh token: %w", err)
		}
		return nil, nil // signing out twice, or with a token we never issued, is done
	}
	if err := s.deps.Store.RevokeFamily(ctx, t.FamilyID, s.deps.Now()); err != nil {
		return nil, fmt.Errorf("revoke token family: %w", err)
	}
	ev := auditOf(ctx)
	ev.OrgID, ev.ActorID, ev.Target = t.OrgID, t.UserID, "user:"+t.UserID
	return nil, nil
}

func (s *Server) switchOrg(ctx context.Context, in *switchOrgInput) (*sessionOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.deps.Store.GetMembership(ctx, in.Body.OrgID, a.UserID)
	if isNotFound(err) {
		return nil, fail(omnify.ErrNotFound, "organisation not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load membership: %w", err)
	}
	u, o, err := s.userAndOrg(ctx, a.UserID, m.OrgID)
	if err != nil {
		return nil, err
	}
	auditOf(ctx).Details = map[string]string{"to_org": o.ID}
	return s.session(ctx, u, o, m.Role, "")
}

func (s *Server) userAndOrg(ctx context.Context, userID, orgID string) (*omnify.User, *omnify.Org, error) {
	u, err := s.deps.Store.GetUser(ctx, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("load user: %w", err)
	}
	o, err := s.deps.Store.GetOrg(ctx, orgID)
	if err != nil {
		return nil, nil, fmt.Errorf("load org: %w", err)
	}
	return u, o, nil
}

// session issues an access token and a refresh token, the latter in
// family, or in a new family when family is empty.
func (s *Server) session(ctx context.Context, u *omnify.User, o *omnify.Org, role omnify.Role, family string) (*sessionOutput, error) {
	access, expiresIn, err := s.deps.Issuer.Issue(u.ID, o.ID, role)
	if err != nil {
		return nil, fmt.Errorf("issue access token: %w", err)
	}
	refresh, hash, err := auth.NewRefreshToken()
	if err != nil {
		return nil, fmt.Errorf("new refresh token: %w", err)
	}
	if family == "" {
		family = s.deps.NewID()
	}
	now := s.deps.Now().UTC()
	rt := &omnify.RefreshToken{ID: s.deps.NewID(), FamilyID: family, UserID: u.ID, OrgID: o.ID,
		TokenHash: hash, CreatedAt: now, ExpiresAt: now.Add(s.cfg.RefreshTTL)}
	if err := s.deps.Store.CreateRefreshToken(ctx, rt); err != nil {
		return nil, fmt.Errorf("store refresh token: %w", err)
	}
	return &sessionOutput{Body: &Session{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		ExpiresIn: expiresIn, User: UserView{ID: u.ID, Email: u.Email}, Org: OrgView{ID: o.ID, Name: o.Name}, Role: role}}, nil
}
