package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

func (db *DB) CreateConnection(ctx context.Context, c *omnify.Connection) error {
	n := *c
	if n.ID == "" {
		n.ID = newID()
	}
	if n.Health == "" {
		n.Health = omnify.HealthHealthy
	}
	n.CreatedAt = db.stamp(n.CreatedAt)
	if n.UpdatedAt.IsZero() {
		n.UpdatedAt = n.CreatedAt
	}
	if err := db.insert(ctx, colConns, n.ID, n); err != nil {
		return wrap("create connection", err)
	}
	*c = n
	return nil
}

func (db *DB) GetConnection(ctx context.Context, orgID, id string) (*omnify.Connection, error) {
	c, err := findOne[omnify.Connection](ctx, db.c(colConns), bson.D{{Key: "_id", Value: id}, {Key: "v.orgid", Value: orgID}})
	return c, wrap("get connection", err)
}

func (db *DB) FindConnection(ctx context.Context, id string) (*omnify.Connection, error) {
	c, err := findOne[omnify.Connection](ctx, db.c(colConns), bson.D{{Key: "_id", Value: id}})
	return c, wrap("find connection", err)
}

func (db *DB) ListConnections(ctx context.Context, orgID string, p store.Page) ([]omnify.Connection, string, error) {
	cs, next, err := listing[omnify.Connection]{
		col: db.c(colConns), filter: bson.D{{Key: "v.orgid", Value: orgID}},
		keys: []sortKey{{"v.createdat", byT}, {"v.id", byS}},
		key:  func(c omnify.Connection) cursor { return cursor{T: micro(c.CreatedAt), S: c.ID} },
	}.page(ctx, p)
	return cs, next, wrap("list connections", err)
}

func (db *DB) UpdateConnection(ctx context.Context, c *omnify.Connection) error {
	c.UpdatedAt = db.stamp(c.UpdatedAt)
	creds := c.CredentialsCiphertext
	if creds == nil {
		creds = []byte{}
	}
	res, err := db.c(colConns).UpdateOne(ctx, bson.D{{Key: "_id", Value: c.ID}, {Key: "v.orgid", Value: c.OrgID}},
		bson.D{{Key: "$set", Value: set("v.name", c.Name, "v.credentialsciphertext", creds, "v.config", c.Config,
			"v.scheduleevery", int64(c.ScheduleEvery), "v.updatedat", micro(c.UpdatedAt))}})
	return wrap("update connection", mustMatch(res, err))
}

func (db *DB) SetConnectionHealth(ctx context.Context, c *omnify.Connection) error {
	c.UpdatedAt = db.stamp(c.UpdatedAt)
	res, err := db.c(colConns).UpdateOne(ctx, bson.D{{Key: "_id", Value: c.ID}, {Key: "v.orgid", Value: c.OrgID}},
		bson.D{{Key: "$set", Value: set("v.health", c.Health, "v.lasterror", c.LastError, "v.failures", c.Failures,
			"v.nextretryat", micro(c.NextRetryAt), "v.lastsyncat", micro(c.LastSyncAt), "v.updatedat", micro(c.UpdatedAt))}})
	return wrap("set connection health", mustMatch(res, err))
}

// DeleteConnection deletes the connection first, so a failure part-way
// leaves only unreachable stream states and runs, which a retry removes.
func (db *DB) DeleteConnection(ctx context.Context, orgID, id string) error {
	res, err := db.c(colConns).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "v.orgid", Value: orgID}})
	if err := mustDelete(res, err); err != nil {
		return wrap("delete connection", err)
	}
	return wrap("delete connection", db.deleteConnectionData(ctx, orgID, id))
}

func (db *DB) deleteConnectionData(ctx context.Context, orgID, id string) error {
	filter := bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.connectionid", Value: id}}
	for _, col := range []string{colStreams, colSyncRuns, colAudiences, colAudienceMembers} {
		if _, err := db.c(col).DeleteMany(ctx, filter); err != nil {
			return err
		}
	}
	return nil
}

// ListConnectionsDue selects scheduled, retry-free connections in the query
// and checks "last sync + interval ≤ now" in Go: comparing two fields needs
// $expr, which FerretDB v1 lacks. Scheduled connections number in the
// hundreds per deployment, so the scan stays small.
func (db *DB) ListConnectionsDue(ctx context.Context, now time.Time) ([]omnify.Connection, error) {
	cs, err := findAll[omnify.Connection](ctx, db.c(colConns), bson.D{
		{Key: "v.scheduleevery", Value: bson.D{{Key: "$gt", Value: 0}}},
		{Key: "v.health", Value: bson.D{{Key: "$ne", Value: omnify.HealthDisconnected}}},
		{Key: "v.nextretryat", Value: bson.D{{Key: "$lte", Value: micro(now)}}},
	}, bson.D{{Key: "v.createdat", Value: 1}, {Key: "v.id", Value: 1}})
	if err != nil {
		return nil, wrap("list connections due", err)
	}
	due := cs[:0]
	for _, c := range cs {
		if micro(c.LastSyncAt)+c.ScheduleEvery.Microseconds() <= micro(now) {
			due = append(due, c)
		}
	}
	return due, nil
}

func (db *DB) ListStreamStates(ctx context.Context, orgID, connectionID string) ([]omnify.StreamState, error) {
	ss, err := findAll[omnify.StreamState](ctx, db.c(colStreams),
		bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.connectionid", Value: connectionID}},
		bson.D{{Key: "v.stream", Value: 1}})
	return ss, wrap("list stream states", err)
}

// SaveStreamState is a compare-and-set on the stream's version: the first
// save inserts the state (a racing first save hits the duplicate key);
// later ones must win the guard of the version they leave.
func (db *DB) SaveStreamState(ctx context.Context, st *omnify.StreamState, prevVersion int64) error {
	if _, err := db.GetConnection(ctx, st.OrgID, st.ConnectionID); err != nil {
		return fmt.Errorf("save stream state: %w", err)
	}
	n := *st
	n.UpdatedAt, n.Version = db.stamp(st.UpdatedAt), prevVersion+1
	k := key(n.OrgID, n.ConnectionID, n.Stream)
	conflict := fmt.Errorf("save stream state: stream %s is not at version %d: %w", n.Stream, prevVersion, omnify.ErrConflict)
	if prevVersion == 0 {
		err := db.insert(ctx, colStreams, k, n)
		if mongo.IsDuplicateKeyError(err) {
			return conflict
		}
		if err != nil {
			return wrap("save stream state", err)
		}
		st.Version, st.UpdatedAt = n.Version, n.UpdatedAt
		return nil
	}
	ok, err := db.advanceStream(ctx, k, prevVersion, set("v.state", rawDoc(n.State), "v.version", n.Version,
		"v.updatedat", micro(n.UpdatedAt)))
	if err != nil {
		return wrap("save stream state", err)
	}
	if !ok {
		return conflict
	}
	st.Version, st.UpdatedAt = n.Version, n.UpdatedAt
	return nil
}

// advanceStream applies fields to the stream state k if it is at version v
// and this caller wins the guard of v.
func (db *DB) advanceStream(ctx context.Context, k string, v int64, fields bson.D) (bool, error) {
	cur, err := findOne[omnify.StreamState](ctx, db.c(colStreams), bson.D{{Key: "_id", Value: k}})
	if err != nil || cur.Version != v {
		return false, ignoreNotFound(err)
	}
	won, err := db.stateGuard(ctx, key(colStreams, k, strconv.FormatInt(v, 10)))
	if err != nil || !won {
		return false, err
	}
	res, err := db.c(colStreams).UpdateOne(ctx, bson.D{{Key: "_id", Value: k}, {Key: "v.version", Value: v}},
		bson.D{{Key: "$set", Value: fields}})
	if err != nil || res.MatchedCount == 0 {
		return false, err
	}
	db.releaseGuard(ctx, key(colStreams, k, strconv.FormatInt(v, 10)))
	return true, nil
}

func (db *DB) ResetStreamState(ctx context.Context, orgID, connectionID, stream string, now time.Time) (int64, error) {
	if _, err := db.GetConnection(ctx, orgID, connectionID); err != nil {
		return 0, fmt.Errorf("reset stream state: %w", err)
	}
	k := key(orgID, connectionID, stream)
	at := db.stamp(now)
	for range maxRounds {
		cur, err := findOne[omnify.StreamState](ctx, db.c(colStreams), bson.D{{Key: "_id", Value: k}})
		if errors.Is(err, omnify.ErrNotFound) {
			st := omnify.StreamState{OrgID: orgID, ConnectionID: connectionID, Stream: stream, Version: 1, UpdatedAt: at}
			err = db.insert(ctx, colStreams, k, st)
			if err == nil {
				return 1, nil
			}
			if mongo.IsDuplicateKeyError(err) {
				continue
			}
		}
		if err != nil {
			return 0, wrap("reset stream state", err)
		}
		ok, err := db.advanceStream(ctx, k, cur.Version, set("v.state", nil, "v.version", cur.Version+1,
			"v.updatedat", micro(at)))
		if err != nil {
			return 0, wrap("reset stream state", err)
		}
		if ok {
			return cur.Version + 1, nil
		}
	}
	return 0, fmt.Errorf("reset stream state: too much contention: %w", omnify.ErrConflict)
}

func (db *DB) CreateSyncRun(ctx context.Context, r *omnify.SyncRun) error {
	n := *r
	if n.ID == "" {
		n.ID = newID()
	}
	if n.Status == "" {
		n.Status = omnify.JobQueued
	}
	n.CreatedAt = db.stamp(n.CreatedAt)
	if _, err := db.GetConnection(ctx, n.OrgID, n.ConnectionID); err != nil {
		return fmt.Errorf("create sync run: %w", err)
	}
	if err := db.insert(ctx, colSyncRuns, n.ID, n); err != nil {
		return wrap("create sync run", err)
	}
	*r = n
	return nil
}

func (db *DB) UpdateSyncRun(ctx context.Context, r *omnify.SyncRun) error {
	var finishedAt any
	if r.FinishedAt != nil {
		finishedAt = micro(*r.FinishedAt)
	}
	progress, err := marshalValue(r.Progress)
	if err != nil {
		return fmt.Errorf("update sync run: %w", err)
	}
	res, err := db.c(colSyncRuns).UpdateOne(ctx, bson.D{{Key: "_id", Value: r.ID}, {Key: "v.orgid", Value: r.OrgID},
		{Key: "v.status", Value: bson.D{{Key: "$nin", Value: bson.A{omnify.JobSucceeded, omnify.JobDead}}}}},
		bson.D{{Key: "$set", Value: set("v.status", r.Status, "v.progress", progress, "v.error", r.Error,
			"v.startedat", micro(r.StartedAt), "v.finishedat", finishedAt)}})
	if err := mustMatch(res, err); !errors.Is(err, omnify.ErrNotFound) {
		return wrap("update sync run", err)
	}
	if _, err := db.GetSyncRun(ctx, r.OrgID, r.ID); err != nil {
		return fmt.Errorf("update sync run: %w", err)
	}
	return fmt.Errorf("update sync run: run has finished: %w", omnify.ErrConflict)
}

// marshalValue encodes v as a BSON value with the store's registry.
func marshalValue(v any) (any, error) {
	d, err := marshal(bson.D{{Key: "x", Value: v}})
	if err != nil {
		return nil, err
	}
	return d[0].Value, nil
}

func (db *DB) GetSyncRun(ctx context.Context, orgID, id string) (*omnify.SyncRun, error) {
	r, err := findOne[omnify.SyncRun](ctx, db.c(colSyncRuns), bson.D{{Key: "_id", Value: id}, {Key: "v.orgid", Value: orgID}})
	return r, wrap("get sync run", err)
}

func (db *DB) ListSyncRuns(ctx context.Context, orgID, connectionID string, p store.Page) ([]omnify.SyncRun, string, error) {
	rs, next, err := listing[omnify.SyncRun]{
		col:    db.c(colSyncRuns),
		filter: bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.connectionid", Value: connectionID}},
		keys:   []sortKey{{"v.createdat", byT}, {"v.id", byS}},
		desc:   true,
		key:    func(r omnify.SyncRun) cursor { return cursor{T: micro(r.CreatedAt), S: r.ID} },
	}.page(ctx, p)
	return rs, next, wrap("list sync runs", err)
}
