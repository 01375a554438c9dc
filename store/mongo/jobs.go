package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// A job document keeps "left", its remaining attempts, beside the record:
// a claim decrements it in the same update that counts the attempt, so
// conditions on the attempt budget are plain field comparisons (FerretDB v1
// has no $expr to compare attempts with max_attempts). It also keeps "gen",
// bumped by every claim and retry: a claimer must first win the guard
// document of the generation it leaves, so two workers never claim the same
// job attempt.
//
// Idempotency keys live in their own collection, keyed by (org, key): its
// primary key is the unique index. The key is inserted before the job, and
// removed again when the job insert fails.

type jobKey struct {
	JobID string `bson:"jobid"`
}

func (db *DB) EnqueueJob(ctx context.Context, j *omnify.Job) (*omnify.Job, error) {
	n := db.jobDefaults(*j)
	if n.IdempotencyKey != "" {
		k := key(n.OrgID, n.IdempotencyKey)
		_, err := db.c(colJobKeys).InsertOne(ctx, bson.D{{Key: "_id", Value: k}, {Key: "jobid", Value: n.ID}})
		if mongo.IsDuplicateKeyError(err) {
			return db.existingJob(ctx, k, n)
		}
		if err != nil {
			return nil, wrap("enqueue job", err)
		}
	}
	_, err := db.c(colJobs).InsertOne(ctx, bson.D{{Key: "_id", Value: n.ID}, {Key: "v", Value: n},
		{Key: "left", Value: n.MaxAttempts}, {Key: "gen", Value: int64(0)}})
	if err != nil {
		if n.IdempotencyKey != "" {
			_, derr := db.c(colJobKeys).DeleteOne(context.WithoutCancel(ctx),
				bson.D{{Key: "_id", Value: key(n.OrgID, n.IdempotencyKey)}, {Key: "jobid", Value: n.ID}})
			err = errors.Join(err, derr)
		}
		return nil, wrap("enqueue job", err)
	}
	stored, err := db.GetJob(ctx, n.OrgID, n.ID)
	return stored, wrap("enqueue job", err)
}

// existingJob returns the job holding an idempotency key with ErrConflict.
// The key may be visible a moment before its job is, so a missing job is
// looked up again briefly.
func (db *DB) existingJob(ctx context.Context, k string, n omnify.Job) (*omnify.Job, error) {
	var jk jobKey
	if err := db.c(colJobKeys).FindOne(ctx, bson.D{{Key: "_id", Value: k}}).Decode(&jk); err != nil {
		return nil, wrap("enqueue job", err)
	}
	for range 50 {
		j, err := db.GetJob(ctx, n.OrgID, jk.JobID)
		if err == nil {
			return j, fmt.Errorf("enqueue job: idempotency key %q already used: %w", n.IdempotencyKey, omnify.ErrConflict)
		}
		if !errors.Is(err, omnify.ErrNotFound) {
			return nil, fmt.Errorf("enqueue job: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("enqueue job: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("enqueue job: idempotency key %q held by a missing job: %w", n.IdempotencyKey, omnify.ErrConflict)
}

func (db *DB) jobDefaults(j omnify.Job) omnify.Job {
	return store.QueuedJob(j, db.now(), newID)
}

func set(kv ...any) bson.D {
	var d bson.D
	for i := 0; i+1 < len(kv); i += 2 {
		d = append(d, bson.E{Key: kv[i].(string), Value: kv[i+1]})
	}
	return d
}

// buryExpired marks dead the running jobs whose lease expired on their last
// attempt, keeping an error they already have.
func (db *DB) buryExpired(ctx context.Context, extra bson.D, now time.Time) error {
	base := append(bson.D{{Key: "v.status", Value: omnify.JobRunning},
		{Key: "v.lockeduntil", Value: bson.D{{Key: "$lte", Value: micro(now)}}},
		{Key: "left", Value: bson.D{{Key: "$lte", Value: 0}}}}, extra...)
	dead := set("v.status", omnify.JobDead, "v.lockedby", "", "v.updatedat", micro(now))
	noErr := append(append(bson.D{}, base...), bson.E{Key: "v.error", Value: ""})
	withMsg := append(append(bson.D{}, dead...), bson.E{Key: "v.error", Value: "lease expired on the last attempt"})
	if _, err := db.c(colJobs).UpdateMany(ctx, noErr, bson.D{{Key: "$set", Value: withMsg}}); err != nil {
		return err
	}
	_, err := db.c(colJobs).UpdateMany(ctx, base, bson.D{{Key: "$set", Value: dead}})
	return err
}

// runnable matches jobs a worker may take at now.
func runnable(now time.Time) bson.E {
	return bson.E{Key: "$or", Value: bson.A{
		bson.D{{Key: "v.status", Value: bson.D{{Key: "$in", Value: bson.A{omnify.JobQueued, omnify.JobFailed}}}},
			{Key: "v.runat", Value: bson.D{{Key: "$lte", Value: micro(now)}}}},
		bson.D{{Key: "v.status", Value: omnify.JobRunning},
			{Key: "v.lockeduntil", Value: bson.D{{Key: "$lte", Value: micro(now)}}},
			{Key: "left", Value: bson.D{{Key: "$gt", Value: 0}}}},
	}}
}

type jobDoc struct {
	V   omnify.Job `bson:"v"`
	Gen int64      `bson:"gen"`
}

// claim takes the first job matching filter in claim order: it wins the
// guard of a candidate's generation, then moves it to running. Candidates
// another worker won are skipped; the query is repeated until a claim
// succeeds or nothing matches.
func (db *DB) claim(ctx context.Context, filter bson.D, worker string, now time.Time, lease time.Duration) (*omnify.Job, error) {
	opts := options.Find().SetLimit(16).
		SetSort(bson.D{{Key: "v.runat", Value: 1}, {Key: "v.createdat", Value: 1}, {Key: "_id", Value: 1}})
	for range maxRounds {
		cur, err := db.c(colJobs).Find(ctx, filter, opts)
		if err != nil {
			return nil, err
		}
		var cands []jobDoc
		if err := cur.All(ctx, &cands); err != nil {
			return nil, err
		}
		if len(cands) == 0 {
			return nil, mongo.ErrNoDocuments
		}
		for _, c := range cands {
			won, err := db.stateGuard(ctx, key(colJobs, c.V.ID, strconv.FormatInt(c.Gen, 10)))
			if err != nil {
				return nil, err
			}
			if !won {
				continue
			}
			j, err := db.takeJob(ctx, c, worker, now, lease)
			if !errors.Is(err, errMoved) {
				return j, err
			}
		}
	}
	return nil, fmt.Errorf("too much contention: %w", omnify.ErrConflict)
}

// takeJob moves a job whose generation guard the caller won to running.
func (db *DB) takeJob(ctx context.Context, c jobDoc, worker string, now time.Time, lease time.Duration) (*omnify.Job, error) {
	gk := key(colJobs, c.V.ID, strconv.FormatInt(c.Gen, 10))
	res, err := db.c(colJobs).UpdateOne(ctx, bson.D{{Key: "_id", Value: c.V.ID}, {Key: "gen", Value: c.Gen}},
		bson.D{
			{Key: "$set", Value: set("v.status", omnify.JobRunning, "v.lockedby", worker,
				"v.lockeduntil", micro(now.Add(lease)), "v.updatedat", micro(now))},
			{Key: "$inc", Value: set("v.attempts", 1, "left", -1, "gen", int64(1))},
		})
	if err != nil {
		return nil, err
	}
	if res.MatchedCount == 0 {
		return nil, errMoved
	}
	db.releaseGuard(ctx, gk)
	return findOne[omnify.Job](ctx, db.c(colJobs), bson.D{{Key: "_id", Value: c.V.ID}})
}

func (db *DB) ClaimJob(ctx context.Context, kinds []string, worker string, now time.Time, lease time.Duration) (*omnify.Job, error) {
	var kind bson.D
	if len(kinds) > 0 {
		in := make(bson.A, len(kinds))
		for i, k := range kinds {
			in[i] = k
		}
		kind = bson.D{{Key: "v.kind", Value: bson.D{{Key: "$in", Value: in}}}}
	}
	if err := db.buryExpired(ctx, kind, now); err != nil {
		return nil, wrap("claim job", err)
	}
	j, err := db.claim(ctx, append(bson.D{runnable(now)}, kind...), worker, now, lease)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("claim job: no runnable job: %w", omnify.ErrNotFound)
	}
	return j, wrap("claim job", err)
}

func (db *DB) ClaimJobByID(ctx context.Context, id, worker string, now time.Time, lease time.Duration) (*omnify.Job, error) {
	byID := bson.D{{Key: "_id", Value: id}}
	if err := db.buryExpired(ctx, byID, now); err != nil {
		return nil, wrap("claim job "+id, err)
	}
	j, err := db.claim(ctx, append(bson.D{runnable(now)}, byID...), worker, now, lease)
	if err == nil {
		return j, nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, wrap("claim job "+id, err)
	}
	j, err = findOne[omnify.Job](ctx, db.c(colJobs), byID)
	if err != nil {
		return nil, wrap("claim job "+id, err)
	}
	return j, fmt.Errorf("claim job %s: job is %s: %w", id, j.Status, omnify.ErrConflict)
}

// updateRunning applies update to the job while it is running (and matches
// extra); otherwise ErrConflict, or ErrNotFound for no such job.
func (db *DB) updateRunning(ctx context.Context, id string, extra bson.D, update bson.D) (bool, error) {
	filter := append(bson.D{{Key: "_id", Value: id}, {Key: "v.status", Value: omnify.JobRunning}}, extra...)
	res, err := db.c(colJobs).UpdateOne(ctx, filter, update)
	if err != nil {
		return false, err
	}
	return res.MatchedCount > 0, nil
}

// jobGuard explains why an update of a running job matched nothing.
func (db *DB) jobGuard(ctx context.Context, id string) error {
	j, err := findOne[omnify.Job](ctx, db.c(colJobs), bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return err
	}
	return fmt.Errorf("job is %s, not running: %w", j.Status, omnify.ErrConflict)
}

func (db *DB) guarded(ctx context.Context, op, id string, extra, update bson.D) error {
	ok, err := db.updateRunning(ctx, id, extra, update)
	if err == nil && !ok {
		err = db.jobGuard(ctx, id)
	}
	return wrap(op, err)
}

func (db *DB) CompleteJob(ctx context.Context, id string, result json.RawMessage, now time.Time) error {
	return db.guarded(ctx, "complete job", id, nil, bson.D{{Key: "$set", Value: set("v.status", omnify.JobSucceeded,
		"v.result", rawDoc(result), "v.updatedat", micro(now), "v.lockedby", "", "v.lockeduntil", zeroMicro)}})
}

// rawDoc stores an empty JSON document as null.
func rawDoc(m json.RawMessage) any {
	if len(m) == 0 {
		return nil
	}
	return []byte(m)
}

func (db *DB) FailJob(ctx context.Context, id string, msg string, retryAt time.Time) error {
	fields := func(status omnify.JobStatus) bson.D {
		return bson.D{{Key: "$set", Value: set("v.status", status, "v.error", msg, "v.runat", micro(retryAt),
			"v.lockedby", "", "v.lockeduntil", zeroMicro, "v.updatedat", micro(db.now()))}}
	}
	if retryAt.IsZero() {
		return db.guarded(ctx, "fail job", id, nil, fields(omnify.JobDead))
	}
	ok, err := db.updateRunning(ctx, id, bson.D{{Key: "left", Value: bson.D{{Key: "$lte", Value: 0}}}}, fields(omnify.JobDead))
	if err != nil || ok {
		return wrap("fail job", err)
	}
	return db.guarded(ctx, "fail job", id, bson.D{{Key: "left", Value: bson.D{{Key: "$gt", Value: 0}}}},
		fields(omnify.JobFailed))
}

func (db *DB) ExtendJobLease(ctx context.Context, id, worker string, until time.Time) error {
	return db.guarded(ctx, "extend job lease", id, bson.D{{Key: "v.lockedby", Value: worker}},
		bson.D{{Key: "$set", Value: set("v.lockeduntil", micro(until))}})
}

func (db *DB) SetJobProgress(ctx context.Context, id string, progress json.RawMessage) error {
	return db.guarded(ctx, "set job progress", id, nil, bson.D{{Key: "$set", Value: set("v.progress", rawDoc(progress))}})
}

func (db *DB) RetryJob(ctx context.Context, orgID, id string, now time.Time) error {
	var d jobDoc
	err := db.c(colJobs).FindOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "v.orgid", Value: orgID}}).Decode(&d)
	if err != nil {
		return wrap("retry job", err)
	}
	notDead := fmt.Errorf("retry job: job is not dead: %w", omnify.ErrConflict)
	if d.V.Status != omnify.JobDead {
		return notDead
	}
	won, err := db.stateGuard(ctx, key(colJobs, id, strconv.FormatInt(d.Gen, 10)))
	if err != nil {
		return wrap("retry job", err)
	}
	if !won {
		return notDead
	}
	res, err := db.c(colJobs).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "gen", Value: d.Gen}},
		bson.D{{Key: "$set", Value: set("v.status", omnify.JobQueued, "v.attempts", 0, "left", d.V.MaxAttempts,
			"v.runat", micro(now), "v.updatedat", micro(now), "v.lockedby", "", "v.lockeduntil", zeroMicro,
			"gen", d.Gen+1)}})
	if err != nil {
		return wrap("retry job", err)
	}
	if res.MatchedCount == 0 {
		return notDead
	}
	db.releaseGuard(ctx, key(colJobs, id, strconv.FormatInt(d.Gen, 10)))
	return nil
}

func (db *DB) GetJob(ctx context.Context, orgID, id string) (*omnify.Job, error) {
	j, err := findOne[omnify.Job](ctx, db.c(colJobs), bson.D{{Key: "_id", Value: id}, {Key: "v.orgid", Value: orgID}})
	return j, wrap("get job", err)
}

func (db *DB) ListJobs(ctx context.Context, orgID string, p store.Page) ([]omnify.Job, string, error) {
	js, next, err := listing[omnify.Job]{
		col: db.c(colJobs), filter: bson.D{{Key: "v.orgid", Value: orgID}},
		keys: []sortKey{{"v.createdat", byT}, {"v.id", byS}},
		desc: true,
		key:  func(j omnify.Job) cursor { return cursor{T: micro(j.CreatedAt), S: j.ID} },
	}.page(ctx, p)
	return js, next, wrap("list jobs", err)
}
