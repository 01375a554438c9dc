package store

import (
	"context"
	"fmt"
	"time"

	"github.com/omnify-cloud/omnify"
)

// Audience is what OmniFy has pushed to one destination (a list, an
// audience, a tag) through one connection: the vendor's ID of the audience
// and, through ListAudienceMembers, the customers currently in it. Pushes
// are incremental against it. It is unique per (org, ConnectionID,
// Destination).
type Audience struct {
	OrgID        string
	ConnectionID string
	// Destination is the audience as the user named it.
	Destination string
	// DestinationID is the vendor's ID of the audience, once known.
	DestinationID string
	UpdatedAt     time.Time
}

// AudienceChange is one batch a platform accepted: customers now in the
// audience and customers no longer in it.
type AudienceChange struct {
	ConnectionID string
	Destination  string
	// DestinationID, when not empty, replaces the stored vendor ID.
	DestinationID string
	Added         []string // customer IDs
	Removed       []string // customer IDs
	At            time.Time
}

// AudienceStore persists the members of pushed audiences.
type AudienceStore interface {
	// RecordAudienceChange applies one accepted batch in one step: the
	// audience is created when new, Added become members (adding a member
	// twice keeps one) and Removed stop being members (removing an absent
	// one is not an error); a customer in both ends up removed. The
	// connection must be the org's (ErrNotFound); an empty connection,
	// destination or customer ID is ErrInvalid.
	RecordAudienceChange(ctx context.Context, orgID string, ch AudienceChange) error
	// GetAudience returns an audience; ErrNotFound when nothing was ever
	// recorded for it.
	GetAudience(ctx context.Context, orgID, connectionID, destination string) (*Audience, error)
	// ListAudienceMembers lists the customer IDs in an audience, ordered by
	// ID; an unknown audience has none.
	ListAudienceMembers(ctx context.Context, orgID, connectionID, destination string, p Page) (ids []string, next string, err error)
}

// Validate reports the first empty key of a change, naming its field.
func (ch AudienceChange) Validate() error {
	switch {
	case ch.ConnectionID == "":
		return omnify.Invalid("connection_id", "required")
	case ch.Destination == "":
		return omnify.Invalid("destination", "required")
	}
	for i, id := range ch.Added {
		if id == "" {
			return omnify.Invalid(fmt.Sprintf("added[%d]", i), "required")
		}
	}
	for i, id := range ch.Removed {
		if id == "" {
			return omnify.Invalid(fmt.Sprintf("removed[%d]", i), "required")
		}
	}
	return nil
}
