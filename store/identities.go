package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/omnify-cloud/omnify"
)

// Identity is one person as one source (a platform or a file import) knows
// them: the unit identity resolution merges into unified customers. It is
// unique per (org, Platform, ExternalID).
type Identity struct {
	ID         string
	OrgID      string
	Platform   string
	ExternalID string
	// CustomerID is the unified customer the identity resolved to.
	CustomerID string
	// Email and Phone are normalised (lower-case address, E.164 number) or
	// empty.
	Email   string
	Phone   string
	Name    string
	Consent omnify.Consent
	// NoMergeGroup, when set, keeps the identity apart from identities of
	// another group: a split stamps it so automatic merging cannot undo the
	// split.
	NoMergeGroup string
	UpdatedAt    time.Time
}

// MergeLink justifies one identity's place in a unified customer: it shares
// a key (Reason "same_email", "same_phone", "same_platform_id") with
// OtherIdentityID.
type MergeLink struct {
	OrgID           string
	CustomerID      string
	IdentityID      string
	OtherIdentityID string
	Reason          string
}

// SourceRecord is a platform record kept as the platform sent it, mapped to
// OmniFy's shapes: an order with its lines, a product, a subscription, an
// invoice or charge. It is unique per (org, Platform, Stream, ExternalID).
type SourceRecord struct {
	OrgID      string
	Platform   string
	Stream     string
	ExternalID string
	// CustomerID is the unified customer the record belongs to, if any.
	CustomerID string
	// IdentityID is the source identity the record belongs to, so a split
	// can move the record with its identity.
	IdentityID string
	UpdatedAt  time.Time
	Data       json.RawMessage
}

// Resolution is the outcome of resolving a set of identities, written as one
// unit so readers never see a half-merged customer.
type Resolution struct {
	// Identities are upserted on (org, platform, external ID).
	Identities []Identity
	// Customers are upserted; their merge links are replaced by Links.
	Customers []omnify.Customer
	Links     []MergeLink
	// Merged maps customers that no longer exist to the customer that
	// absorbed them: they are deleted, and their orders, source records and
	// links move to the survivor.
	Merged map[string]string
	// Moved maps identities that changed customer to their new customer:
	// their orders and source records follow them.
	Moved map[string]string
	// Orders and Records are upserted, and DeleteRecords (by platform,
	// stream and external ID) removed, in the same transaction. Deleting an
	// "orders" record deletes its order (same platform and external ID) too.
	Orders        []omnify.Order
	Records       []SourceRecord
	DeleteRecords []SourceRecord
}

// SourceRecordFilter narrows a source-record listing; zero fields match
// everything.
type SourceRecordFilter struct {
	CustomerID string
	Stream     string
}

// IdentityStore persists source identities, merge links and source records:
// the customer graph behind the unified customers of CustomerStore.
type IdentityStore interface {
	// ApplyResolution writes r in one transaction.
	ApplyResolution(ctx context.Context, orgID string, r Resolution) error
	// GetIdentitiesByExternalID returns the identities of a platform with
	// the given external IDs; unknown IDs are skipped.
	GetIdentitiesByExternalID(ctx context.Context, orgID, platform string, externalIDs []string) ([]Identity, error)
	// FindIdentitiesByKey returns identities with any of the emails or
	// phones.
	FindIdentitiesByKey(ctx context.Context, orgID string, emails, phones []string) ([]Identity, error)
	// ListCustomerIdentities returns the identities of the customers,
	// ordered by customer ID, platform, external ID.
	ListCustomerIdentities(ctx context.Context, orgID string, customerIDs []string) ([]Identity, error)
	GetIdentity(ctx context.Context, orgID, id string) (*Identity, error)
	// ListMergeLinks lists a customer's merge links by identity ID.
	ListMergeLinks(ctx context.Context, orgID, customerID string) ([]MergeLink, error)
	// UpsertSourceRecords is idempotent on (org, platform, stream, external
	// ID).
	UpsertSourceRecords(ctx context.Context, orgID string, rs []SourceRecord) error
	// GetSourceRecords returns the records of one platform stream with the
	// given external IDs; unknown IDs are skipped.
	GetSourceRecords(ctx context.Context, orgID, platform, stream string, externalIDs []string) ([]SourceRecord, error)
	// DeleteSourceRecords removes records; unknown ones are skipped.
	DeleteSourceRecords(ctx context.Context, orgID, platform, stream string, externalIDs []string) error
	// ListSourceRecords lists records by platform, stream, external ID.
	ListSourceRecords(ctx context.Context, orgID string, f SourceRecordFilter, p Page) (rs []SourceRecord, next string, err error)
}
