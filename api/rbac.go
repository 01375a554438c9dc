package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api/middleware"
	"github.com/omnify-cloud/omnify/auth"
)

// Anyone marks an operation that needs no token.
const Anyone omnify.Role = "anyone"

// permissions is the one table of who may call what, keyed by huma
// operation ID: the least role a caller needs in the org of their token, or
// Anyone. Register refuses an operation that is missing here.
var permissions = map[string]omnify.Role{
	"health.live":     Anyone,
	"health.ready":    Anyone,
	"auth.register":   Anyone,
	"auth.login":      Anyone,
	"auth.refresh":    Anyone,
	"auth.logout":     Anyone,
	"auth.switch-org": omnify.RoleViewer,
	"me.get":          omnify.RoleViewer,
	"orgs.get":        omnify.RoleViewer,
	"orgs.update":     omnify.RoleAdmin,
	"members.list":    omnify.RoleViewer,
	"members.invite":  omnify.RoleAdmin,
	"members.update":  omnify.RoleAdmin,
	"members.remove":  omnify.RoleAdmin,
	"audit.list":      omnify.RoleAdmin,
	"jobs.list":       omnify.RoleViewer,
	"jobs.get":        omnify.RoleViewer,
	"jobs.retry":      omnify.RoleAdmin,
	"eyes.run":        omnify.RoleAnalyst,
	"eyes.runs":       omnify.RoleViewer,
	"oauth.start":     omnify.RoleAdmin,
	"oauth.callback":  Anyone,
	"eyes.run.get":    omnify.RoleViewer,
	"eyes.segments":   omnify.RoleViewer,
	"eyes.customers":  omnify.RoleViewer,
	"eyes.export":     omnify.RoleViewer,
	"eyes.push":       omnify.RoleAnalyst,
	"eyes.pushes":     omnify.RoleViewer,
	"eyes.projection": omnify.RoleViewer,
	"demo.load":       omnify.RoleAdmin,
	"customers.list":  omnify.RoleViewer,
	"customers.get":   omnify.RoleViewer,
	"customers.split": omnify.RoleAdmin,
	"imports.create":  omnify.RoleAnalyst,

	"platforms.list":      omnify.RoleViewer,
	"connections.connect": omnify.RoleAdmin,
	"connections.list":    omnify.RoleViewer,
	"connections.get":     omnify.RoleViewer,
	"connections.update":  omnify.RoleAdmin,
	"connections.delete":  omnify.RoleAdmin,
	"connections.sync":    omnify.RoleAnalyst,
	"connections.syncs":   omnify.RoleViewer,

	"analytics.overview":     omnify.RoleViewer,
	"analytics.revenue":      omnify.RoleViewer,
	"analytics.cohorts":      omnify.RoleViewer,
	"analytics.repeat-curve": omnify.RoleViewer,
	"analytics.top-products": omnify.RoleViewer,
	"analytics.channels":     omnify.RoleViewer,
}

// Permissions returns a copy of the permission table.
func Permissions() map[string]omnify.Role {
	out := make(map[string]omnify.Role, len(permissions))
	for k, v := range permissions {
		out[k] = v
	}
	return out
}

// Auth is the authenticated caller of a request: the user, the org of
// their token and their current role in it.
type Auth struct {
	UserID  string
	OrgID   string
	Role    omnify.Role
	TokenID string
}

type authKey struct{}

// AuthFrom returns the caller of an operation that requires a token.
func AuthFrom(ctx context.Context) (Auth, bool) {
	a, ok := ctx.Value(authKey{}).(Auth)
	return a, ok
}

// mustAuth is AuthFrom for handlers behind a role check, where a missing
// caller can only be a wiring mistake: it answers 401 rather than panic.
func mustAuth(ctx context.Context) (Auth, error) {
	a, ok := AuthFrom(ctx)
	if !ok {
		return a, fail(omnify.ErrUnauthorized, "authentication required")
	}
	return a, nil
}

// Register adds an operation whose permission is in the table. Its guard
// authenticates the caller, answers 404 when a path org_id is not the
// token's org, 403 when the role is too low and 429 past the org's rate,
// and writes the audit event of a successful state-changing call. New
// reports an operation missing from the table as an error; registering one
// after New panics, as huma does for a malformed operation.
func Register[I, O any](s *Server, op huma.Operation, h func(context.Context, *I) (*O, error)) {
	need, ok := permissions[op.OperationID]
	if !ok {
		err := fmt.Errorf("operation %q has no entry in the permission table", op.OperationID)
		if s.built {
			// Like huma.Register's own checks: a wiring mistake found at startup.
			panic(err)
		}
		s.regErrs = append(s.regErrs, err)
		return
	}
	op.MaxBodyBytes = s.cfg.BodyLimit
	op.Errors = append(op.Errors, http.StatusTooManyRequests)
	if need != Anyone {
		op.Security = []map[string][]string{{"bearer": {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound)
	}
	op.Middlewares = append(huma.Middlewares{s.guard(need)}, op.Middlewares...)
	huma.Register(s.api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.toHTTP(ctx, err)
		}
		return out, nil
	})
}

func (s *Server) guard(need omnify.Role) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		r, w := humago.Unwrap(ctx)
		middleware.SetRoute(ctx.Context(), ctx.Operation().Path)
		ev := &omnify.AuditEvent{
			Action:    ctx.Operation().OperationID,
			IP:        s.clientIP(r),
			UserAgent: ctx.Header("User-Agent"),
			RequestID: middleware.RequestIDFrom(ctx.Context()),
		}
		ctx = huma.WithValue(ctx, auditKey{}, ev)
		if need != Anyone {
			a, err := s.admit(ctx, need)
			if err != nil {
				s.writeErr(ctx, err)
				return
			}
			if !middleware.Enforce(w, r, s.deps.Limiter, "org:"+a.OrgID, s.cfg.OrgRate) {
				return
			}
			middleware.SetOrgID(ctx.Context(), a.OrgID)
			ev.OrgID, ev.ActorID = a.OrgID, a.UserID
			ctx = huma.WithValue(ctx, authKey{}, a)
		}
		next(ctx)
		if ctx.Method() != http.MethodGet && ctx.Status() < 400 {
			s.appendAudit(ctx.Context(), ev)
		}
	}
}

// admit authenticates the caller and checks the path org and the role.
func (s *Server) admit(ctx huma.Context, need omnify.Role) (Auth, error) {
	a, err := s.authenticate(ctx.Context(), ctx.Header("Authorization"))
	if err != nil {
		return a, err
	}
	if p := ctx.Param("org_id"); p != "" && p != a.OrgID {
		return a, fail(omnify.ErrNotFound, "organisation not found")
	}
	if !a.Role.AtLeast(need) {
		return a, fail(omnify.ErrForbidden, fmt.Sprintf("this needs the %s role or higher", need))
	}
	return a, nil
}

// authenticate verifies the bearer token and reads the caller's current
// role, so a demotion or removal takes effect before the token expires.
func (s *Server) authenticate(ctx context.Context, header string) (Auth, error) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || token == "" {
		return Auth{}, fail(omnify.ErrUnauthorized, "a bearer token is required")
	}
	c, err := s.verify(token)
	if err != nil {
		return Auth{}, err
	}
	role, err := s.currentRole(ctx, c.OrgID, c.UserID)
	if err != nil {
		return Auth{}, err
	}
	return Auth{UserID: c.UserID, OrgID: c.OrgID, Role: role, TokenID: c.ID}, nil
}

func (s *Server) verify(token string) (*auth.Claims, error) {
	if c, ok := s.cache.claims(token); ok {
		return c, nil
	}
	c, err := s.deps.Issuer.Verify(token)
	if err != nil {
		return nil, fail(omnify.ErrUnauthorized, "invalid or expired token")
	}
	s.cache.putClaims(token, c)
	return c, nil
}

func (s *Server) currentRole(ctx context.Context, orgID, userID string) (omnify.Role, error) {
	if role, ok := s.cache.role(orgID, userID); ok {
		return role, nil
	}
	m, err := s.deps.Store.GetMembership(ctx, orgID, userID)
	if isNotFound(err) {
		return "", fail(omnify.ErrUnauthorized, "invalid or expired token")
	}
	if err != nil {
		return "", fmt.Errorf("load membership: %w", err)
	}
	s.cache.putRole(orgID, userID, m.Role)
	return m.Role, nil
}

// writeErr answers from a guard, before huma has decoded the input.
func (s *Server) writeErr(ctx huma.Context, err error) {
	status, detail := statusOf(err)
	var pe *publicError
	switch {
	case errors.As(err, &pe):
		detail = pe.msg
		if pe.retryAfter > 0 {
			ctx.SetHeader("Retry-After", retryAfterSeconds(pe.retryAfter))
		}
	case status >= 500:
		s.logInternal(ctx.Context(), err)
	}
	_ = huma.WriteErr(s.api, ctx, status, detail)
}
