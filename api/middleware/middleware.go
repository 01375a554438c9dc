// Package middleware owns OmniFy's HTTP request pipeline below the API
// operations: request IDs, access logs, panic recovery, CORS, rate and body
// limits, security headers and Prometheus metrics. Each piece is a plain
// net/http constructor returning func(http.Handler) http.Handler, and every
// error it answers itself is an RFC 9457 problem+json document.
package middleware

import (
	"context"
	"net/http"
	"strings"
	"sync"
)

// Chain wraps h in mws, the first outermost: Chain(h, a, b) is a(b(h)).
func Chain(h http.Handler, mws ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// reqInfo is a mutable holder shared by the outer layers (access log,
// metrics) and inner ones (auth, routing), which see the request through
// copies made by r.WithContext and so cannot hand values back otherwise.
type reqInfo struct {
	mu    sync.Mutex
	orgID string
	route string
}

type infoKey struct{}

// withInfo returns r carrying a holder, reusing one an outer layer made.
func withInfo(r *http.Request) (*http.Request, *reqInfo) {
	if inf, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		return r, inf
	}
	inf := &reqInfo{}
	return r.WithContext(context.WithValue(r.Context(), infoKey{}, inf)), inf
}

func infoFrom(ctx context.Context) *reqInfo {
	inf, _ := ctx.Value(infoKey{}).(*reqInfo)
	return inf
}

// SetOrgID records the authenticated org for the access log. It does
// nothing when no AccessLog or Metrics layer is outside the caller.
func SetOrgID(ctx context.Context, orgID string) {
	if inf := infoFrom(ctx); inf != nil {
		inf.mu.Lock()
		inf.orgID = orgID
		inf.mu.Unlock()
	}
}

// OrgIDFrom returns the org recorded with SetOrgID, or "".
func OrgIDFrom(ctx context.Context) string {
	inf := infoFrom(ctx)
	if inf == nil {
		return ""
	}
	inf.mu.Lock()
	defer inf.mu.Unlock()
	return inf.orgID
}

// SetRoute records the matched route pattern (e.g. "/v1/orgs/{orgID}") for
// logs and metrics, for routers that do not set http.Request.Pattern.
func SetRoute(ctx context.Context, route string) {
	if inf := infoFrom(ctx); inf != nil {
		inf.mu.Lock()
		inf.route = route
		inf.mu.Unlock()
	}
}

// routeOf returns the matched pattern without its method, from the holder or
// else from the request the router saw; "" when nothing matched.
func (inf *reqInfo) routeOf(r *http.Request) string {
	inf.mu.Lock()
	defer inf.mu.Unlock()
	if inf.route == "" && r.Pattern != "" {
		inf.route = stripMethod(r.Pattern)
	}
	return inf.route
}

// stripMethod turns a ServeMux pattern "GET /v1/x" into "/v1/x".
func stripMethod(p string) string {
	if i := strings.IndexByte(p, ' '); i >= 0 {
		return strings.TrimLeft(p[i+1:], " \t")
	}
	return p
}
