package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify"
)

// Item is one stored record of any kind, exchanged between backends when
// an org moves from one store to another. Data is the record as its domain
// type (omnify.Customer, Identity, AudienceMember...) in JSON, so backends
// exchange records, never rows or documents.
type Item struct {
	Kind string
	// Key identifies the record within its kind, e.g. "org/customer" for a
	// customer; parts are joined with "/".
	Key  string
	Data json.RawMessage
}

// Kinds of items, in the order Dump emits them: a record comes after the
// records it refers to, so loading items in order satisfies references.
const (
	KindOrg            = "org"
	KindUser           = "user"
	KindMembership     = "membership"
	KindRefreshToken   = "refresh_token"
	KindAudit          = "audit"
	KindCustomer       = "customer"
	KindOrder          = "order"
	KindCampaign       = "campaign"
	KindCampaignMetric = "campaign_metric"
	KindJob            = "job"
	KindEyesRun        = "eyes_run"
	KindEyesScore      = "eyes_score"
	KindConnection     = "connection"
	KindStreamState    = "stream_state"
	KindSyncRun        = "sync_run"
	KindIdentity       = "identity"
	KindMergeLink      = "merge_link"
	KindSourceRecord   = "source_record"
	KindAudience       = "audience"
	KindAudienceMember = "audience_member"
)

// Kinds lists every kind in dump order.
var Kinds = []string{
	KindOrg, KindUser, KindMembership, KindRefreshToken, KindAudit, KindCustomer, KindOrder, KindCampaign,
	KindCampaignMetric, KindJob, KindEyesRun, KindEyesScore, KindConnection, KindStreamState, KindSyncRun,
	KindIdentity, KindMergeLink, KindSourceRecord, KindAudience, KindAudienceMember,
}

// AudienceMember is one customer in a pushed audience, as Dump carries it.
type AudienceMember struct {
	OrgID        string
	ConnectionID string
	Destination  string
	CustomerID   string
	AddedAt      time.Time
}

// Dumper is a store that can list everything it holds of some orgs.
type Dumper interface {
	// Dump calls fn with every record of the orgs and with the users who
	// are members of them. Items come kind by kind in the order of Kinds;
	// within a kind, org by org in the order of orgIDs, each org's records
	// by the kind's primary key (see the backends), users by ID. fn's error
	// stops the dump and is returned. An unknown org has no items.
	Dump(ctx context.Context, orgIDs []string, fn func(Item) error) error
}

// Loader is a store that can write dumped items as they are, keeping IDs,
// times, versions and states. Loading the same items twice leaves one copy
// of each. Items may come in any batches, but in dump order.
type Loader interface {
	Load(ctx context.Context, items []Item) error
}

// NewItem encodes a record as an item.
func NewItem(kind string, v any, keyParts ...string) (Item, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Item{}, fmt.Errorf("encode %s %s: %w", kind, strings.Join(keyParts, "/"), err)
	}
	return Item{Kind: kind, Key: strings.Join(keyParts, "/"), Data: b}, nil
}

// Decode decodes the item's record into v, naming the item on error.
func (it Item) Decode(v any) error {
	if err := json.Unmarshal(it.Data, v); err != nil {
		return fmt.Errorf("decode %s %s: %w", it.Kind, it.Key, omnify.Invalid("data", "%v", err))
	}
	return nil
}

// CanonicalJSON returns data in a form two backends agree on for the same
// record: object keys sorted, numbers as written, and fields that are
// null, "", [] or {} dropped (backends may store an empty list as nothing).
// Checksums of copied data are taken over it.
func CanonicalJSON(data json.RawMessage) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	return json.Marshal(prune(v))
}

func prune(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			e = prune(e)
			if empty(e) {
				delete(x, k)
				continue
			}
			x[k] = e
		}
		return x
	case []any:
		for i := range x {
			x[i] = prune(x[i])
		}
		return x
	}
	return v
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}
