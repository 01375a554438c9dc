package omnify

import "time"

// Org is a tenant: a brand, or one client of an agency. Every record that
// belongs to a tenant carries its OrgID and is only reachable through it.
type Org struct {
	ID        string
	Name      string
	CreatedAt time.Time
	Branding  Branding
}

// Branding is how the dashboard presents an org. Zero fields mean the
// product's defaults; the API validates them before they are stored.
type Branding struct {
	DisplayName  string // shown instead of Name when set
	PrimaryColor string // "#RRGGBB", readable under white text
	LogoURL      string // a data: URL of a small raster image
}

// User is a person who signs in. A user may belong to several orgs.
type User struct {
	ID           string
	Email        string // normalised: trimmed, lower-case
	PasswordHash string // PHC-format argon2id string
	CreatedAt    time.Time
}

// Role is a member's role within one org.
type Role string

// Roles, from most to least powerful.
const (
	RoleOwner   Role = "owner"
	RoleAdmin   Role = "admin"
	RoleAnalyst Role = "analyst"
	RoleViewer  Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleOwner, RoleAdmin, RoleAnalyst, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r.rank() > 0
}

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && r.rank() > 0 }

func (r Role) rank() int {
	switch r {
	case RoleOwner:
		return 4
	case RoleAdmin:
		return 3
	case RoleAnalyst:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// Membership ties a user to an org with a role.
type Membership struct {
	OrgID     string
	UserID    string
	Role      Role
	CreatedAt time.Time
}

// RefreshToken is one link of a rotating refresh-token family. Only a hash of
// the token is stored. Presenting a token that was already used means it
// leaked, and the whole family is revoked.
type RefreshToken struct {
	ID        string
	FamilyID  string
	UserID    string
	OrgID     string
	TokenHash string // hex SHA-256 of the opaque token
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
}

// AuditEvent records one state-changing operation.
type AuditEvent struct {
	ID        string
	OrgID     string
	ActorID   string // user ID; empty for the system
	Action    string // e.g. "member.invite", "auth.register"
	Target    string // e.g. "user:0190..."
	IP        string
	UserAgent string
	RequestID string
	Details   map[string]string
	CreatedAt time.Time
}
