package connector

import "context"

// Write-back: connectors that can put people into an audience on their
// platform (a Klaviyo list, a HubSpot static list, GoHighLevel tags, a
// LinkedIn matched audience) implement Pusher. The push engine (package
// push) decides who to add and remove — only people with marketing consent,
// only the difference since the last push — and calls Push batch by batch;
// the connector maps members to the vendor's batch endpoints.

// Member is one person to add to or remove from an audience.
type Member struct {
	// CustomerID is OmniFy's unified customer ID; results name it.
	CustomerID string
	Email      string // normalised, lower case
	Phone      string // E.164
	FirstName  string
	LastName   string
	// ExternalID is the person's ID on the destination platform when the
	// customer graph knows one (e.g. a HubSpot contact ID); empty otherwise.
	ExternalID string
}

// PushRequest asks a connector to change one audience.
type PushRequest struct {
	// Action is one of the connector's Actions()' names.
	Action string
	// Destination names the audience: a list or audience name (created when
	// missing) or the vendor's ID of an existing one, or a tag.
	Destination string
	Add         []Member
	Remove      []Member
}

// PushResult is what a push did.
type PushResult struct {
	// DestinationID is the vendor's ID of the audience, found or created.
	DestinationID string
	Added         int
	Removed       int
	Failed        []PushFailure
}

// PushFailure is a member the vendor refused, with its reason in plain
// words (e.g. "Klaviyo: invalid email").
type PushFailure struct {
	CustomerID string
	Reason     string
}

// MaxPushBatch bounds the members of one PushRequest (adds plus removes);
// connectors split it further to their vendor's batch size.
const MaxPushBatch = 10000

// Pusher is a connector that writes audiences back. Push must be
// idempotent: the engine repeats a batch after a crash or a BackOffError,
// so adding a present member or removing an absent one is not an error.
// Like Read, it never sleeps: it returns a *BackOffError for 429s and
// transient failures, and the engine retries the whole batch later.
type Pusher interface {
	Push(ctx context.Context, c Connection, req PushRequest) (PushResult, error)
}
