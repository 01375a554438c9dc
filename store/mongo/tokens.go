package mongo

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

func (db *DB) CreateRefreshToken(ctx context.Context, t *omnify.RefreshToken) error {
	if t.ID == "" {
		t.ID = newID()
	}
	t.CreatedAt = db.stamp(t.CreatedAt)
	return wrap("create refresh token", db.insert(ctx, colTokens, t.ID, t))
}

// UseRefreshToken lets exactly one caller use a token: the one whose guard
// document for the token is inserted.
func (db *DB) UseRefreshToken(ctx context.Context, tokenHash string, now time.Time) (*omnify.RefreshToken, error) {
	byHash := bson.D{{Key: "v.tokenhash", Value: tokenHash}}
	t, err := findOne[omnify.RefreshToken](ctx, db.c(colTokens), byHash)
	if err != nil {
		return nil, wrap("use refresh token", err)
	}
	used := fmt.Errorf("use refresh token: already used or revoked: %w", omnify.ErrConflict)
	if t.UsedAt != nil || t.RevokedAt != nil {
		return t, used
	}
	won, err := db.guard(ctx, key(colTokens, t.ID))
	if err != nil {
		return nil, wrap("use refresh token", err)
	}
	if !won {
		if t, err = findOne[omnify.RefreshToken](ctx, db.c(colTokens), byHash); err != nil {
			return nil, wrap("use refresh token", err)
		}
		return t, used
	}
	_, err = db.c(colTokens).UpdateOne(ctx, bson.D{{Key: "_id", Value: t.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "v.usedat", Value: micro(now)}}}})
	if err != nil {
		return nil, wrap("use refresh token", err)
	}
	u := time.UnixMicro(micro(now)).UTC()
	t.UsedAt = &u
	return t, nil
}

func (db *DB) RevokeFamily(ctx context.Context, familyID string, now time.Time) error {
	_, err := db.c(colTokens).UpdateMany(ctx,
		bson.D{{Key: "v.familyid", Value: familyID}, {Key: "v.revokedat", Value: nil}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "v.revokedat", Value: micro(now)}}}})
	return wrap("revoke token family", err)
}

func (db *DB) AppendAudit(ctx context.Context, e *omnify.AuditEvent) error {
	if e.ID == "" {
		e.ID = newID()
	}
	e.CreatedAt = db.stamp(e.CreatedAt)
	return wrap("append audit", db.insert(ctx, colAudit, e.ID, e))
}

func (db *DB) ListAudit(ctx context.Context, orgID string, f store.AuditFilter, p store.Page) ([]omnify.AuditEvent, string, error) {
	filter := bson.D{{Key: "v.orgid", Value: orgID}}
	if f.Action != "" {
		filter = append(filter, bson.E{Key: "v.action", Value: f.Action})
	}
	if f.ActorID != "" {
		filter = append(filter, bson.E{Key: "v.actorid", Value: f.ActorID})
	}
	if r := timeRange(f.Since, f.Until); r != nil {
		filter = append(filter, bson.E{Key: "v.createdat", Value: r})
	}
	es, next, err := listing[omnify.AuditEvent]{
		col:    db.c(colAudit),
		filter: filter,
		keys:   []sortKey{{"v.createdat", byT}, {"v.id", byS}},
		desc:   true,
		key:    func(e omnify.AuditEvent) cursor { return cursor{T: micro(e.CreatedAt), S: e.ID} },
	}.page(ctx, p)
	return es, next, wrap("list audit", err)
}

// timeRange is the condition since ≤ t < until, nil when both are zero.
func timeRange(since, until time.Time) bson.D {
	var r bson.D
	if !since.IsZero() {
		r = append(r, bson.E{Key: "$gte", Value: micro(since)})
	}
	if !until.IsZero() {
		r = append(r, bson.E{Key: "$lt", Value: micro(until)})
	}
	return r
}
