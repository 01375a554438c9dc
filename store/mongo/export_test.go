package mongo

import (
	"context"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// PlantStreamGuard leaves the guard of a stream state's version as a
// process that died right after winning it would, aged to at.
func (db *DB) PlantStreamGuard(ctx context.Context, orgID, connID, stream string, version int64, at time.Time) error {
	return db.plant(ctx, key(colStreams, key(orgID, connID, stream), strconv.FormatInt(version, 10)), at)
}

// PlantJobGuard leaves the claim guard of a job's current generation.
func (db *DB) PlantJobGuard(ctx context.Context, jobID string, at time.Time) error {
	var d jobDoc
	if err := db.c(colJobs).FindOne(ctx, bson.D{{Key: "_id", Value: jobID}}).Decode(&d); err != nil {
		return err
	}
	return db.plant(ctx, key(colJobs, jobID, strconv.FormatInt(d.Gen, 10)), at)
}

func (db *DB) plant(ctx context.Context, k string, at time.Time) error {
	if _, err := db.c(colGuards).DeleteOne(ctx, bson.D{{Key: "_id", Value: k}}); err != nil {
		return err
	}
	_, err := db.c(colGuards).InsertOne(ctx, bson.D{{Key: "_id", Value: k}, {Key: "at", Value: at.UnixMicro()}})
	return err
}
