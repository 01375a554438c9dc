package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/omnify-cloud/omnify"
)

// Orgs carry an "owners" count and a generation beside the record: the
// last-owner guard changes the count one generation at a time (see
// addOwners).

func (db *DB) CreateOrg(ctx context.Context, o *omnify.Org) error {
	if o.ID == "" {
		o.ID = newID()
	}
	o.CreatedAt = db.stamp(o.CreatedAt)
	return wrap("create org", db.insertOrg(ctx, o, 0))
}

func (db *DB) insertOrg(ctx context.Context, o *omnify.Org, owners int) error {
	_, err := db.c(colOrgs).InsertOne(ctx, bson.D{{Key: "_id", Value: o.ID}, {Key: "v", Value: o},
		{Key: "owners", Value: owners}, {Key: "gen", Value: int64(0)}})
	return err
}

func (db *DB) GetOrg(ctx context.Context, id string) (*omnify.Org, error) {
	o, err := findOne[omnify.Org](ctx, db.c(colOrgs), bson.D{{Key: "_id", Value: id}})
	return o, wrap("get org", err)
}

func (db *DB) UpdateOrg(ctx context.Context, o *omnify.Org) error {
	res, err := db.c(colOrgs).UpdateOne(ctx, bson.D{{Key: "_id", Value: o.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "v.name", Value: o.Name}, {Key: "v.branding", Value: o.Branding}}}})
	return wrap("update org", mustMatch(res, err))
}

func (db *DB) CreateUser(ctx context.Context, u *omnify.User) error {
	if u.ID == "" {
		u.ID = newID()
	}
	u.CreatedAt = db.stamp(u.CreatedAt)
	return wrap("create user", db.insertUser(ctx, u))
}

// insertUser stores u with its email beside the record, where the unique
// index on emails is.
func (db *DB) insertUser(ctx context.Context, u *omnify.User) error {
	_, err := db.c(colUsers).InsertOne(ctx, bson.D{{Key: "_id", Value: u.ID}, {Key: "v", Value: u},
		{Key: "email", Value: u.Email}})
	return err
}

func (db *DB) GetUser(ctx context.Context, id string) (*omnify.User, error) {
	u, err := findOne[omnify.User](ctx, db.c(colUsers), bson.D{{Key: "_id", Value: id}})
	return u, wrap("get user", err)
}

func (db *DB) GetUserByEmail(ctx context.Context, email string) (*omnify.User, error) {
	u, err := findOne[omnify.User](ctx, db.c(colUsers), bson.D{{Key: "email", Value: email}})
	return u, wrap("get user by email", err)
}

// CreateAccount inserts the user, then the org, then the owner membership.
// Without a transaction, all-or-nothing is kept by compensation: when a
// later insert fails, the records already inserted are deleted before the
// error returns. A crash between the inserts can leave an orphan user or
// org with no membership; neither is reachable (no membership grants
// access), and the email stays taken until an operator removes the user.
func (db *DB) CreateAccount(ctx context.Context, u *omnify.User, o *omnify.Org) error {
	nu, no := *u, *o
	if nu.ID == "" {
		nu.ID = newID()
	}
	if no.ID == "" {
		no.ID = newID()
	}
	nu.CreatedAt, no.CreatedAt = db.stamp(nu.CreatedAt), db.stamp(no.CreatedAt)
	if err := db.insertUser(ctx, &nu); err != nil {
		return wrap("create account", err)
	}
	undo := func(err error, cols ...string) error {
		ids := map[string]string{colUsers: nu.ID, colOrgs: no.ID}
		errs := []error{err}
		for _, col := range cols {
			_, derr := db.c(col).DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: ids[col]}})
			errs = append(errs, derr)
		}
		return wrap("create account", errors.Join(errs...))
	}
	if err := db.insertOrg(ctx, &no, 1); err != nil {
		return undo(err, colUsers)
	}
	m := omnify.Membership{OrgID: no.ID, UserID: nu.ID, Role: omnify.RoleOwner, CreatedAt: nu.CreatedAt}
	if err := db.insert(ctx, colMembers, key(m.OrgID, m.UserID), m); err != nil {
		return undo(err, colOrgs, colUsers)
	}
	*u, *o = nu, no
	return nil
}

// errNoOwner is the last-owner guard's refusal.
var errNoOwner = fmt.Errorf("org would have no owner: %w", omnify.ErrConflict)
