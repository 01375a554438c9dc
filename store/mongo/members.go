package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// The last-owner guard keeps the org document's owner count equal to the
// number of owner memberships. A change that removes an owner first takes
// one from the count only while it is above one (changes of the count are
// serialised, so two concurrent removals of the last two owners cannot both
// pass), then
// changes the membership only if it still has the role read; when that
// second step fails the count is given back. A crash between the two steps
// leaves the count one low, which errs on the safe side: it can refuse a
// removal, never allow an ownerless org.

func (db *DB) AddMember(ctx context.Context, m *omnify.Membership) error {
	if !m.Role.Valid() {
		return fmt.Errorf("add member: %w", omnify.Invalid("role", "unknown role %q", m.Role))
	}
	m.CreatedAt = db.stamp(m.CreatedAt)
	if _, err := db.GetOrg(ctx, m.OrgID); err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	if m.Role == omnify.RoleOwner {
		if err := db.addOwners(ctx, m.OrgID, 1, false); err != nil {
			return wrap("add member", err)
		}
	}
	err := db.insert(ctx, colMembers, key(m.OrgID, m.UserID), m)
	if err != nil && m.Role == omnify.RoleOwner {
		err = errors.Join(err, db.addOwners(context.WithoutCancel(ctx), m.OrgID, -1, false))
	}
	return wrap("add member", err)
}

// addOwners changes an org's owner count by n; guarded refuses to take the
// count below one. Each change moves the org to its next generation and
// must first win the guard document of the generation it leaves, so
// concurrent changes apply one after another, each seeing the count the
// previous one left.
func (db *DB) addOwners(ctx context.Context, orgID string, n int, guarded bool) error {
	for range maxRounds {
		var o struct {
			Owners int   `bson:"owners"`
			Gen    int64 `bson:"gen"`
		}
		if err := db.c(colOrgs).FindOne(ctx, bson.D{{Key: "_id", Value: orgID}}).Decode(&o); err != nil {
			return classify(err)
		}
		if guarded && o.Owners+n < 1 {
			return errNoOwner
		}
		won, err := db.stateGuard(ctx, key(colOrgs, orgID, strconv.FormatInt(o.Gen, 10)))
		if err != nil {
			return err
		}
		if !won {
			continue
		}
		res, err := db.c(colOrgs).UpdateOne(ctx, bson.D{{Key: "_id", Value: orgID}, {Key: "gen", Value: o.Gen}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "owners", Value: o.Owners + n}, {Key: "gen", Value: o.Gen + 1}}}})
		if err != nil {
			return err
		}
		if res.MatchedCount == 0 {
			continue
		}
		db.releaseGuard(ctx, key(colOrgs, orgID, strconv.FormatInt(o.Gen, 10)))
		return nil
	}
	return fmt.Errorf("owner count of org %s: too much contention: %w", orgID, omnify.ErrConflict)
}

func (db *DB) GetMembership(ctx context.Context, orgID, userID string) (*omnify.Membership, error) {
	m, err := findOne[omnify.Membership](ctx, db.c(colMembers), bson.D{{Key: "_id", Value: key(orgID, userID)}})
	return m, wrap("get membership", err)
}

func (db *DB) ListMembers(ctx context.Context, orgID string, p store.Page) ([]omnify.Membership, string, error) {
	ms, next, err := listing[omnify.Membership]{
		col:    db.c(colMembers),
		filter: bson.D{{Key: "v.orgid", Value: orgID}},
		keys:   []sortKey{{"v.createdat", byT}, {"v.userid", byS}},
		key:    func(m omnify.Membership) cursor { return cursor{T: micro(m.CreatedAt), S: m.UserID} },
	}.page(ctx, p)
	return ms, next, wrap("list members", err)
}

func (db *DB) ListUserMemberships(ctx context.Context, userID string) ([]omnify.Membership, error) {
	ms, err := findAll[omnify.Membership](ctx, db.c(colMembers), bson.D{{Key: "v.userid", Value: userID}},
		bson.D{{Key: "v.createdat", Value: 1}, {Key: "v.orgid", Value: 1}})
	return ms, wrap("list user memberships", err)
}

func (db *DB) SetRole(ctx context.Context, orgID, userID string, role omnify.Role) error {
	if !role.Valid() {
		return fmt.Errorf("set role: %w", omnify.Invalid("role", "unknown role %q", role))
	}
	cur, err := db.GetMembership(ctx, orgID, userID)
	if err != nil {
		return fmt.Errorf("set role: %w", err)
	}
	delta := ownerDelta(cur.Role, role)
	if err := db.takeOwner(ctx, orgID, delta); err != nil {
		return wrap("set role", err)
	}
	id := key(orgID, userID)
	res, err := db.c(colMembers).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "v.role", Value: cur.Role}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "v.role", Value: role}}}})
	err = mustMatch(res, err)
	if err != nil && delta != 0 {
		err = errors.Join(concurrentChange(err), db.addOwners(context.WithoutCancel(ctx), orgID, -delta, false))
	}
	return wrap("set role", err)
}

// ownerDelta is how a role change moves the owner count.
func ownerDelta(from, to omnify.Role) int {
	switch {
	case from == omnify.RoleOwner && to != omnify.RoleOwner:
		return -1
	case from != omnify.RoleOwner && to == omnify.RoleOwner:
		return 1
	}
	return 0
}

// takeOwner applies delta to the owner count, guarding decrements.
func (db *DB) takeOwner(ctx context.Context, orgID string, delta int) error {
	if delta == 0 {
		return nil
	}
	return db.addOwners(ctx, orgID, delta, delta < 0)
}

// concurrentChange reports a membership that changed between read and write.
func concurrentChange(err error) error {
	if errors.Is(err, omnify.ErrNotFound) {
		return fmt.Errorf("membership changed concurrently: %w", omnify.ErrConflict)
	}
	return err
}

func (db *DB) RemoveMember(ctx context.Context, orgID, userID string) error {
	cur, err := db.GetMembership(ctx, orgID, userID)
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	delta := ownerDelta(cur.Role, "")
	if err := db.takeOwner(ctx, orgID, delta); err != nil {
		return wrap("remove member", err)
	}
	res, err := db.c(colMembers).DeleteOne(ctx, bson.D{{Key: "_id", Value: key(orgID, userID)},
		{Key: "v.role", Value: cur.Role}})
	err = mustDelete(res, err)
	if err != nil && delta != 0 {
		err = errors.Join(concurrentChange(err), db.addOwners(context.WithoutCancel(ctx), orgID, -delta, false))
	}
	return wrap("remove member", err)
}

func mustDelete(res *mongo.DeleteResult, err error) error {
	if err != nil {
		return err
	}
	if res.DeletedCount == 0 {
		return errNoMatch
	}
	return nil
}
