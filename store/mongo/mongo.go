// Package mongo is OmniFy's clustered store: store.Store on MongoDB through
// the official driver go.mongodb.org/mongo-driver/v2. It owns the
// collections and their indexes, and passes the same conformance suite as
// store/sqlite.
//
// It uses no multi-document transaction, so it also runs on MongoDB-
// compatible servers without them (FerretDB v1). Nor does it rely on a
// conditional update being atomic, which FerretDB v1 does not promise: every
// guard (refresh-token use, job claim and retry, last owner, stream-state
// versions) is won by inserting a guard document whose key names the state
// being left, e.g. (job, generation 7). The primary key lets exactly one
// writer insert it; that writer alone applies the change. EYES run versions
// rely on the unique (org, version) index the same way. Multi-document
// writes (CreateAccount, ApplyResolution) are ordered so a failure either
// undoes itself or converges when retried; see their comments.
//
// What stays weaker than SQLite without transactions: the moves out of
// running (complete, fail, progress) and of unfinished EYES and sync runs
// are conditional updates, atomic on MongoDB but not promised by FerretDB
// v1; only the lease holder makes them, so they do not race in practice.
// Guard documents of left states are deleted after each change; those of
// used refresh tokens stay (one small document per token). A guard of a
// state still not left a minute after it was won belongs to a writer that
// died in between, and is taken over (stateGuard).
//
// Times are stored as int64 Unix microseconds (BSON dates keep only
// milliseconds), so they round-trip at the precision the store promises and
// compare as integers in keyset cursors.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var _ store.Store = (*DB)(nil)

// Options tunes a DB. The zero value is ready to use.
type Options struct {
	// Now stamps records created without a time. Default time.Now.
	Now func() time.Time
	// ConnectTimeout bounds Open's first ping. Default 10s.
	ConnectTimeout time.Duration
}

// DB is the MongoDB store.
type DB struct {
	client *mongo.Client
	db     *mongo.Database
	now    func() time.Time
}

// Open connects to uri and uses database. It does not create indexes; call
// Migrate.
func Open(ctx context.Context, uri, database string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 10 * time.Second
	}
	if database == "" {
		return nil, fmt.Errorf("open mongo: %w", omnify.Invalid("database", "required"))
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetRegistry(reg))
	if err != nil {
		return nil, fmt.Errorf("open mongo: %w", err)
	}
	db := &DB{client: client, db: client.Database(database), now: opts.Now}
	pctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	if err := db.Ping(pctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("open mongo: %w", err)
	}
	return db, nil
}

// Ping reports whether the server answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.client.Ping(ctx, nil); err != nil {
		return fmt.Errorf("ping mongo: %w", errors.Join(omnify.ErrUnavailable, err))
	}
	return nil
}

// Close disconnects. Closing twice is harmless.
func (db *DB) Close() error {
	err := db.client.Disconnect(context.Background())
	if err != nil && !errors.Is(err, mongo.ErrClientDisconnected) {
		return fmt.Errorf("close mongo: %w", err)
	}
	return nil
}

// Collection names.
const (
	colOrgs       = "orgs"
	colUsers      = "users"
	colMembers    = "memberships"
	colTokens     = "refresh_tokens"
	colAudit      = "audit_events"
	colCustomers  = "customers"
	colOrders     = "orders"
	colCampaigns  = "campaigns"
	colMetrics    = "campaign_metrics"
	colJobs       = "jobs"
	colJobKeys    = "job_idempotency_keys"
	colRuns       = "eyes_runs"
	colScores     = "eyes_scores"
	colConns      = "connections"
	colStreams    = "stream_states"
	colSyncRuns   = "sync_runs"
	colIdentities = "identities"
	colLinks      = "merge_links"
	colRecords    = "source_records"
	colGuards     = "guards"
)

func (db *DB) c(name string) *mongo.Collection { return db.db.Collection(name) }

var timeType = reflect.TypeOf(time.Time{})

// zeroMicro is the stored form of the zero time, decoded back to it.
var zeroMicro = time.Time{}.UnixMicro()

func micro(t time.Time) int64 { return t.UnixMicro() }

var reg = registry()

// registry encodes every time.Time as Unix microseconds.
func registry() *bson.Registry {
	r := bson.NewRegistry()
	r.RegisterTypeEncoder(timeType, bson.ValueEncoderFunc(
		func(_ bson.EncodeContext, vw bson.ValueWriter, v reflect.Value) error {
			return vw.WriteInt64(v.Interface().(time.Time).UnixMicro())
		}))
	r.RegisterTypeDecoder(timeType, bson.ValueDecoderFunc(
		func(_ bson.DecodeContext, vr bson.ValueReader, v reflect.Value) error {
			var us int64
			var err error
			switch vr.Type() {
			case bson.TypeInt64:
				us, err = vr.ReadInt64()
			case bson.TypeInt32:
				var n int32
				n, err = vr.ReadInt32()
				us = int64(n)
			case bson.TypeNull:
				err, us = vr.ReadNull(), zeroMicro
			default:
				return fmt.Errorf("decode time from BSON %s", vr.Type())
			}
			if err != nil {
				return err
			}
			t := time.Time{}
			if us != zeroMicro {
				t = time.UnixMicro(us).UTC()
			}
			v.Set(reflect.ValueOf(t))
			return nil
		}))
	return r
}

// classify translates driver errors into the domain's error kinds, keeping
// the driver error in the chain for logs.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%w: %w", omnify.ErrNotFound, err)
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%w: %w", omnify.ErrConflict, err)
	case mongo.IsNetworkError(err) || mongo.IsTimeout(err):
		return fmt.Errorf("%w: %w", omnify.ErrUnavailable, err)
	}
	return err
}

// wrap classifies err and prefixes it with op.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, classify(err))
}

// newID returns a time-ordered unique ID.
func newID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}

// stamp returns t, or the current time when t is zero.
func (db *DB) stamp(t time.Time) time.Time {
	if t.IsZero() {
		return db.now()
	}
	return t
}

// key joins the parts of a compound document key. The unit separator does
// not occur in IDs, so distinct part lists give distinct keys.
func key(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0x1f)
		}
		b = append(b, p...)
	}
	return string(b)
}

// errNoMatch is returned by updates that matched nothing.
var errNoMatch = fmt.Errorf("no such record: %w", omnify.ErrNotFound)

func mustMatch(res *mongo.UpdateResult, err error) error {
	if err != nil {
		return err
	}
	if res.MatchedCount == 0 {
		return errNoMatch
	}
	return nil
}

// Drop deletes the whole database. Tests use it to clean up.
func (db *DB) Drop(ctx context.Context) error {
	if err := db.db.Drop(ctx); err != nil {
		return fmt.Errorf("drop mongo database: %w", err)
	}
	return nil
}

// guard inserts the guard document k and reports whether this caller won
// it: false when another writer inserted it first. A guard won this way is
// never taken over (a used refresh token stays used).
func (db *DB) guard(ctx context.Context, k string) (bool, error) {
	_, err := db.c(colGuards).InsertOne(ctx, bson.D{{Key: "_id", Value: k}, {Key: "at", Value: micro(db.now())}})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, err
}

// staleGuard is how old the guard of a state must be for another writer to
// take it over. Its winner applies its change right after winning it, so a
// guard this old whose state was never left belongs to a process that died
// in between; without the takeover that record (a job, a stream's saved
// state, an org's owners) could never change again.
const staleGuard = time.Minute

// stateGuard is guard for a state a document leaves: a stale guard of it is
// deleted and contested again. Guards written before they carried a time
// count as stale.
func (db *DB) stateGuard(ctx context.Context, k string) (bool, error) {
	won, err := db.guard(ctx, k)
	if won || err != nil {
		return won, err
	}
	var g struct {
		At int64 `bson:"at"`
	}
	err = db.c(colGuards).FindOne(ctx, bson.D{{Key: "_id", Value: k}}).Decode(&g)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return db.guard(ctx, k) // released meanwhile
	}
	if err != nil {
		return false, err
	}
	if time.UnixMicro(g.At).After(db.now().Add(-staleGuard)) {
		return false, nil
	}
	res, err := db.c(colGuards).DeleteOne(ctx, bson.D{{Key: "_id", Value: k}, {Key: "at", Value: g.At}})
	if err != nil || res.DeletedCount == 0 {
		return false, err // another writer took it over first
	}
	return db.guard(ctx, k)
}

// releaseGuard deletes the guard of a state its document has left. A late
// writer may then win the guard again, but its update, conditioned on the
// old state, matches nothing (errMoved). Deletion is best-effort: a guard
// left behind costs one small document.
func (db *DB) releaseGuard(ctx context.Context, k string) {
	_, _ = db.c(colGuards).DeleteOne(context.WithoutCancel(ctx), bson.D{{Key: "_id", Value: k}})
}

// errMoved reports a guarded update whose document left the guarded state.
var errMoved = fmt.Errorf("record changed concurrently: %w", omnify.ErrConflict)

// maxRounds bounds the retries of an optimistic guard under contention.
const maxRounds = 1000
