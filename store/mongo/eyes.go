package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var finishedStatuses = bson.A{omnify.JobSucceeded, omnify.JobFailed, omnify.JobDead}

// CreateEyesRun gives the run the org's highest version plus one and
// inserts it; the unique (org, version) index refuses a version a
// concurrent run took first, and the insert is retried with the next one.
// A failed create takes no version.
func (db *DB) CreateEyesRun(ctx context.Context, r *omnify.EyesRun) error {
	n := *r
	if n.ID == "" {
		n.ID = newID()
	}
	if n.Status == "" {
		n.Status = omnify.JobQueued
	}
	n.CreatedAt = db.stamp(n.CreatedAt)
	for range maxRounds {
		if _, err := db.GetEyesRun(ctx, n.OrgID, n.ID); err == nil {
			return fmt.Errorf("create eyes run: run %s exists: %w", n.ID, omnify.ErrConflict)
		}
		latest, err := findOne[omnify.EyesRun](ctx, db.c(colRuns), bson.D{{Key: "v.orgid", Value: n.OrgID}},
			options.FindOne().SetSort(bson.D{{Key: "v.version", Value: -1}}))
		switch {
		case err == nil:
			n.Version = latest.Version + 1
		case errors.Is(err, omnify.ErrNotFound):
			n.Version = 1
		default:
			return wrap("create eyes run", err)
		}
		err = db.insert(ctx, colRuns, key(n.OrgID, n.ID), n)
		if err == nil {
			*r = n
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return wrap("create eyes run", err)
		}
	}
	return fmt.Errorf("create eyes run: too much contention: %w", omnify.ErrConflict)
}

func (db *DB) UpdateEyesRun(ctx context.Context, r *omnify.EyesRun) error {
	var finishedAt any
	if r.FinishedAt != nil {
		finishedAt = micro(*r.FinishedAt)
	}
	res, err := db.c(colRuns).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: key(r.OrgID, r.ID)}, {Key: "v.status", Value: bson.D{{Key: "$nin", Value: finishedStatuses}}}},
		bson.D{{Key: "$set", Value: set("v.status", r.Status, "v.report", rawDoc(r.Report), "v.error", r.Error,
			"v.finishedat", finishedAt)}})
	if err := mustMatch(res, err); !errors.Is(err, omnify.ErrNotFound) {
		return wrap("update eyes run", err)
	}
	if _, err := db.GetEyesRun(ctx, r.OrgID, r.ID); err != nil {
		return fmt.Errorf("update eyes run: %w", err)
	}
	return fmt.Errorf("update eyes run: run has finished: %w", omnify.ErrConflict)
}

func (db *DB) GetEyesRun(ctx context.Context, orgID, id string) (*omnify.EyesRun, error) {
	r, err := findOne[omnify.EyesRun](ctx, db.c(colRuns), bson.D{{Key: "_id", Value: key(orgID, id)}})
	return r, wrap("get eyes run", err)
}

func (db *DB) LatestEyesRun(ctx context.Context, orgID string) (*omnify.EyesRun, error) {
	r, err := findOne[omnify.EyesRun](ctx, db.c(colRuns),
		bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.status", Value: omnify.JobSucceeded}},
		options.FindOne().SetSort(bson.D{{Key: "v.version", Value: -1}}))
	return r, wrap("latest eyes run", err)
}

func (db *DB) ListEyesRuns(ctx context.Context, orgID string, p store.Page) ([]omnify.EyesRun, string, error) {
	rs, next, err := listing[omnify.EyesRun]{
		col: db.c(colRuns), filter: bson.D{{Key: "v.orgid", Value: orgID}},
		keys: []sortKey{{"v.version", byN}},
		desc: true,
		key:  func(r omnify.EyesRun) cursor { return cursor{N: int64(r.Version)} },
	}.page(ctx, p)
	return rs, next, wrap("list eyes runs", err)
}

// PutEyesScores checks the run is unfinished, then writes. Without a
// transaction a run finishing between the check and the write can gain
// scores; the EYES job writes scores before it marks its run finished, so
// only a caller breaking that order could observe it.
func (db *DB) PutEyesScores(ctx context.Context, orgID, runID string, ss []omnify.EyesScore) error {
	r, err := db.GetEyesRun(ctx, orgID, runID)
	if err != nil {
		return fmt.Errorf("put eyes scores: run %s: %w", runID, err)
	}
	if r.Status == omnify.JobSucceeded || r.Status == omnify.JobFailed || r.Status == omnify.JobDead {
		return fmt.Errorf("put eyes scores: run %s has finished: %w", runID, omnify.ErrConflict)
	}
	ms := make([]upsert, 0, len(ss))
	for _, s := range ss {
		s.OrgID, s.RunID = orgID, runID
		m, err := newUpsert(key(orgID, runID, s.CustomerID), s)
		if err != nil {
			return fmt.Errorf("put eyes scores: %w", err)
		}
		ms = append(ms, m)
	}
	return wrap("put eyes scores", db.upsertAll(ctx, colScores, ms))
}

func (db *DB) ListEyesScores(ctx context.Context, orgID, runID string, f store.ScoreFilter, p store.Page) ([]omnify.EyesScore, string, error) {
	filter := bson.D{{Key: "v.orgid", Value: orgID}, {Key: "v.runid", Value: runID}}
	if f.SegmentID != "" {
		filter = append(filter, bson.E{Key: "v.segmentid", Value: f.SegmentID})
	}
	if f.MinChurn90 != 0 {
		filter = append(filter, bson.E{Key: "v.churn90", Value: bson.D{{Key: "$gte", Value: f.MinChurn90}}})
	}
	if f.ConsentedOnly {
		filter = append(filter, bson.E{Key: "v.consent", Value: omnify.ConsentGranted})
	}
	ss, next, err := listing[omnify.EyesScore]{
		col: db.c(colScores), filter: filter,
		keys: []sortKey{{"v.customerid", byS}},
		key:  func(s omnify.EyesScore) cursor { return cursor{S: s.CustomerID} },
	}.page(ctx, p)
	return ss, next, wrap("list eyes scores", err)
}

func (db *DB) GetEyesScore(ctx context.Context, orgID, runID, customerID string) (*omnify.EyesScore, error) {
	s, err := findOne[omnify.EyesScore](ctx, db.c(colScores), bson.D{{Key: "_id", Value: key(orgID, runID, customerID)}})
	return s, wrap("get eyes score", err)
}
