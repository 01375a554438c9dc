package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/omnify-cloud/omnify/store"
)

// Collections of pushed audiences: one document per audience, one per
// member keyed by (org, connection, destination, customer).
const (
	colAudiences       = "audiences"
	colAudienceMembers = "audience_members"
)

// audienceMember is the stored form of one member.
type audienceMember struct {
	OrgID        string
	ConnectionID string
	Destination  string
	CustomerID   string
	AddedAt      time.Time
}

// RecordAudienceChange writes the audience first, then the members it
// gains, then drops those it lost. Every step is idempotent, so a batch
// that fails part-way converges when the push engine repeats it.
func (db *DB) RecordAudienceChange(ctx context.Context, orgID string, ch store.AudienceChange) error {
	if err := ch.Validate(); err != nil {
		return fmt.Errorf("record audience change: %w", err)
	}
	if _, err := db.GetConnection(ctx, orgID, ch.ConnectionID); err != nil {
		return fmt.Errorf("record audience change: %w", err)
	}
	at := db.stamp(ch.At)
	if err := db.saveAudience(ctx, orgID, ch, at); err != nil {
		return wrap("record audience change", err)
	}
	if err := db.addAudienceMembers(ctx, orgID, ch, at); err != nil {
		return wrap("record audience change", err)
	}
	return wrap("record audience change", db.removeAudienceMembers(ctx, orgID, ch))
}

func (db *DB) saveAudience(ctx context.Context, orgID string, ch store.AudienceChange, at time.Time) error {
	k := key(orgID, ch.ConnectionID, ch.Destination)
	fields := set("v.orgid", orgID, "v.connectionid", ch.ConnectionID, "v.destination", ch.Destination,
		"v.updatedat", micro(at))
	if ch.DestinationID != "" {
		fields = append(fields, bson.E{Key: "v.destinationid", Value: ch.DestinationID})
	}
	_, err := db.c(colAudiences).UpdateOne(ctx, bson.D{{Key: "_id", Value: k}},
		bson.D{{Key: "$set", Value: fields}}, options.UpdateOne().SetUpsert(true))
	if mongo.IsDuplicateKeyError(err) {
		// A concurrent first write created it; ours now updates.
		_, err = db.c(colAudiences).UpdateOne(ctx, bson.D{{Key: "_id", Value: k}}, bson.D{{Key: "$set", Value: fields}})
	}
	return err
}

// addAudienceMembers inserts the members, unordered, and ignores the
// duplicate keys of members already present.
func (db *DB) addAudienceMembers(ctx context.Context, orgID string, ch store.AudienceChange, at time.Time) error {
	const batch = 1000
	for start := 0; start < len(ch.Added); start += batch {
		var docs []any
		for _, id := range ch.Added[start:min(start+batch, len(ch.Added))] {
			m := audienceMember{OrgID: orgID, ConnectionID: ch.ConnectionID, Destination: ch.Destination,
				CustomerID: id, AddedAt: at}
			docs = append(docs, bson.D{{Key: "_id", Value: key(orgID, ch.ConnectionID, ch.Destination, id)}, {Key: "v", Value: m}})
		}
		_, err := db.c(colAudienceMembers).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		if err != nil && !onlyDuplicates(err) {
			return err
		}
	}
	return nil
}

// onlyDuplicates reports whether every failed write of a bulk insert hit
// an existing key.
func onlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return false
		}
	}
	return true
}

func (db *DB) removeAudienceMembers(ctx context.Context, orgID string, ch store.AudienceChange) error {
	if len(ch.Removed) == 0 {
		return nil
	}
	keys := make(bson.A, len(ch.Removed))
	for i, id := range ch.Removed {
		keys[i] = key(orgID, ch.ConnectionID, ch.Destination, id)
	}
	_, err := db.c(colAudienceMembers).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}})
	return err
}

// GetAudience returns one audience of the org.
func (db *DB) GetAudience(ctx context.Context, orgID, connectionID, destination string) (*store.Audience, error) {
	a, err := findOne[store.Audience](ctx, db.c(colAudiences), bson.D{{Key: "_id", Value: key(orgID, connectionID, destination)},
		{Key: "v.orgid", Value: orgID}})
	return a, wrap("get audience", err)
}

// ListAudienceMembers lists an audience's customer IDs in ID order.
func (db *DB) ListAudienceMembers(ctx context.Context, orgID, connectionID, destination string, p store.Page) ([]string, string, error) {
	ms, next, err := listing[audienceMember]{
		col: db.c(colAudienceMembers),
		filter: bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.connectionid", Value: connectionID},
			{Key: "v.destination", Value: destination}},
		keys: []sortKey{{"v.customerid", byS}},
		key:  func(m audienceMember) cursor { return cursor{S: m.CustomerID} },
	}.page(ctx, p)
	if err != nil {
		return nil, "", wrap("list audience members", err)
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.CustomerID
	}
	return ids, next, nil
}
