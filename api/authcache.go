package api

import (
	"sync"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/auth"
)

// authCacheMax bounds each map of the auth cache; a full map is emptied,
// which costs one verification or lookup per caller and keeps memory flat.
const authCacheMax = 10_000

// authCache spares the two costs every authenticated request pays: the
// signature check of an access token (a given token string verifies the
// same way until it expires) and the membership lookup (reused for
// Config.RoleCacheTTL, forgotten at once when this server changes it).
type authCache struct {
	now     func() time.Time
	roleTTL time.Duration

	mu     sync.Mutex
	tokens map[string]*auth.Claims
	roles  map[memberKey]roleEntry
	// profiles holds what GET /v1/me shows of a user: their email and every
	// membership with its org's name, reused for the role TTL.
	profiles map[string]profileEntry
}

type profileEntry struct {
	email       string
	memberships []MembershipView
	at          time.Time
}

type memberKey struct{ org, user string }

type roleEntry struct {
	role omnify.Role
	at   time.Time
}

func newAuthCache(now func() time.Time, roleTTL time.Duration) *authCache {
	return &authCache{now: now, roleTTL: roleTTL, tokens: map[string]*auth.Claims{}, roles: map[memberKey]roleEntry{},
		profiles: map[string]profileEntry{}}
}

// claims returns the claims of a token verified before and not yet expired.
func (c *authCache) claims(token string) (*auth.Claims, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cl, ok := c.tokens[token]
	if ok && !c.now().Before(cl.ExpiresAt) {
		delete(c.tokens, token)
		return nil, false
	}
	return cl, ok
}

func (c *authCache) putClaims(token string, cl *auth.Claims) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.tokens) >= authCacheMax {
		clear(c.tokens)
	}
	c.tokens[token] = cl
}

// role returns a member's role read from the store within the TTL.
func (c *authCache) role(org, user string) (omnify.Role, bool) {
	if c.roleTTL <= 0 {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.roles[memberKey{org, user}]
	if !ok || c.now().Sub(e.at) >= c.roleTTL {
		return "", false
	}
	return e.role, true
}

func (c *authCache) putRole(org, user string, role omnify.Role) {
	if c.roleTTL <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.roles) >= authCacheMax {
		clear(c.roles)
	}
	c.roles[memberKey{org, user}] = roleEntry{role: role, at: c.now()}
}

// forget drops a member's cached role and profile after this server
// changed their membership.
func (c *authCache) forget(org, user string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.roles, memberKey{org, user})
	delete(c.profiles, user)
}

// forgetProfiles drops every cached profile, e.g. after an org was renamed.
func (c *authCache) forgetProfiles() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.profiles)
}

// profile returns a user's cached email and memberships within the TTL.
func (c *authCache) profile(user string) (string, []MembershipView, bool) {
	if c.roleTTL <= 0 {
		return "", nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.profiles[user]
	if !ok || c.now().Sub(e.at) >= c.roleTTL {
		return "", nil, false
	}
	return e.email, e.memberships, true
}

func (c *authCache) putProfile(user, email string, ms []MembershipView) {
	if c.roleTTL <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.profiles) >= authCacheMax {
		clear(c.profiles)
	}
	c.profiles[user] = profileEntry{email: email, memberships: ms, at: c.now()}
}
