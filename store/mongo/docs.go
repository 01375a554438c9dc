package mongo

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

// doc is a domain record stored under a document key. The record's fields
// are stored in the subdocument "v" under their lower-cased Go names
// (OrgID → "v.orgid").
type doc[T any] struct {
	Key string `bson:"_id"`
	V   T      `bson:"v"`
}

// insert stores v under k; a used key is ErrConflict.
func (db *DB) insert(ctx context.Context, col, k string, v any) error {
	_, err := db.c(col).InsertOne(ctx, bson.D{{Key: "_id", Value: k}, {Key: "v", Value: v}})
	return err
}

// findOne decodes the first document matching filter into a T.
func findOne[T any](ctx context.Context, c *mongo.Collection, filter any, opts ...options.Lister[options.FindOneOptions]) (*T, error) {
	var d doc[T]
	if err := c.FindOne(ctx, filter, opts...).Decode(&d); err != nil {
		return nil, classify(err)
	}
	return &d.V, nil
}

// findAll decodes every document matching filter, in sort order.
func findAll[T any](ctx context.Context, c *mongo.Collection, filter, sort any) ([]T, error) {
	opts := options.Find()
	if sort != nil {
		opts.SetSort(sort)
	}
	cur, err := c.Find(ctx, filter, opts)
	if err != nil {
		return nil, err
	}
	var ds []doc[T]
	if err := cur.All(ctx, &ds); err != nil {
		return nil, err
	}
	out := make([]T, len(ds))
	for i := range ds {
		out[i] = ds[i].V
	}
	return out, nil
}

// each streams the documents matching filter to fn; fn's error stops it.
func each[T any](ctx context.Context, c *mongo.Collection, filter, sort any, fn func(T) error) error {
	opts := options.Find()
	if sort != nil {
		opts.SetSort(sort)
	}
	cur, err := c.Find(ctx, filter, opts)
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d doc[T]
		if err := cur.Decode(&d); err != nil {
			return err
		}
		if err := fn(d.V); err != nil {
			return fnError{err}
		}
	}
	return cur.Err()
}

// fnError carries a callback's error through each untouched.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }
func (e fnError) Unwrap() error { return e.err }

// scan runs each and returns a callback's error as is, others wrapped.
func scan[T any](ctx context.Context, c *mongo.Collection, filter, sort any, fn func(T) error, op string) error {
	err := each(ctx, c, filter, sort, fn)
	if fe, ok := err.(fnError); ok {
		return fe.err
	}
	return wrap(op, err)
}

// cursor is the shared keyset cursor.
type cursor = store.Cursor

// sortKey is one field of a keyset ordering.
type sortKey struct {
	field string
	val   func(cursor) any
}

var (
	byT = func(c cursor) any { return c.T }
	byN = func(c cursor) any { return c.N }
	byS = func(c cursor) any { return c.S }
)

// listing is one keyset-paginated query.
type listing[T any] struct {
	col    *mongo.Collection
	filter bson.D
	keys   []sortKey // "v."-prefixed field paths
	desc   bool
	key    func(T) cursor
}

// page runs the listing for p: it asks for one record more than the limit
// to know whether a next page exists.
func (l listing[T]) page(ctx context.Context, p store.Page) ([]T, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", err
	}
	filter := l.filter
	if after {
		filter = append(filter, bson.E{Key: "$or", Value: l.after(c)})
	}
	dir := 1
	if l.desc {
		dir = -1
	}
	var sort bson.D
	for _, k := range l.keys {
		sort = append(sort, bson.E{Key: k.field, Value: dir})
	}
	cur, err := l.col.Find(ctx, filter, options.Find().SetSort(sort).SetLimit(int64(p.Limit+1)))
	if err != nil {
		return nil, "", err
	}
	var ds []doc[T]
	if err := cur.All(ctx, &ds); err != nil {
		return nil, "", err
	}
	out := make([]T, 0, len(ds))
	for i := range ds {
		out = append(out, ds[i].V)
	}
	if len(out) <= p.Limit {
		return out, "", nil
	}
	out = out[:p.Limit]
	return out, l.key(out[len(out)-1]).Encode(), nil
}

// after expands a tuple comparison (a, b, c) > (x, y, z) into the
// disjunction a > x, or a = x and b > y, or a = x and b = y and c > z.
func (l listing[T]) after(c cursor) bson.A {
	op := "$gt"
	if l.desc {
		op = "$lt"
	}
	var or bson.A
	for i, k := range l.keys {
		var and bson.D
		for _, eq := range l.keys[:i] {
			and = append(and, bson.E{Key: eq.field, Value: eq.val(c)})
		}
		and = append(and, bson.E{Key: k.field, Value: bson.D{{Key: op, Value: k.val(c)}}})
		or = append(or, and)
	}
	return or
}

// requireIDs rejects batch records without an ID.
func requireIDs(what string, n int, id func(i int) string) error {
	for i := range n {
		if id(i) == "" {
			return omnify.Invalid(fmt.Sprintf("%s[%d].id", what, i), "required")
		}
	}
	return nil
}

// upsert writes one record under key k: inserted whole when new; when it
// exists, every field but keep (e.g. a creation time) is overwritten. Extra
// holds top-level fields stored beside the record.
type upsert struct {
	k      string
	fields bson.D
	keep   []string
	extra  bson.D
}

func newUpsert(k string, v any, keep ...string) (upsert, error) {
	fields, err := marshal(v)
	return upsert{k: k, fields: fields, keep: keep}, err
}

// update is u as an update of an existing document.
func (u upsert) update() bson.D {
	set := append(bson.D{}, u.extra...)
	for _, f := range u.fields {
		if !contains(u.keep, f.Key) {
			set = append(set, bson.E{Key: "v." + f.Key, Value: f.Value})
		}
	}
	return bson.D{{Key: "$set", Value: set}}
}

func (u upsert) doc() bson.D {
	return append(bson.D{{Key: "_id", Value: u.k}, {Key: "v", Value: u.fields}}, u.extra...)
}

// marshal encodes v with the store's registry and returns its fields.
func marshal(v any) (bson.D, error) {
	var buf bytes.Buffer
	enc := bson.NewEncoder(bson.NewDocumentWriter(&buf))
	enc.SetRegistry(reg)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	var fields bson.D
	err := bson.Unmarshal(buf.Bytes(), &fields)
	return fields, err
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// upsertAll writes us in batches. Each batch is first inserted in one
// unordered command; records that already exist fail it with duplicate
// keys and are then updated one by one. A fresh import (the bulk of the
// work) is thus one command per batch, and no lookup runs: FerretDB v1
// does not use the _id index for $in, so looking keys up first scans the
// whole collection per batch.
func (db *DB) upsertAll(ctx context.Context, col string, us []upsert) error {
	const batch = 500
	for start := 0; start < len(us); start += batch {
		if err := db.upsertBatch(ctx, col, us[start:min(start+batch, len(us))]); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) upsertBatch(ctx context.Context, col string, us []upsert) error {
	var firsts, again []upsert
	seen := make(map[string]bool, len(us))
	for _, u := range us {
		if seen[u.k] {
			again = append(again, u) // a key twice in one batch: the later write wins
			continue
		}
		seen[u.k] = true
		firsts = append(firsts, u)
	}
	docs := make([]any, len(firsts))
	for i, u := range firsts {
		docs[i] = u.doc()
	}
	existing, err := db.insertNew(ctx, col, docs)
	if err != nil {
		return err
	}
	updates := make([]upsert, 0, len(existing)+len(again))
	for _, i := range existing {
		updates = append(updates, firsts[i])
	}
	updates = append(updates, again...)
	// One command per update: FerretDB v1 holds a database connection per
	// statement of a multi-statement update until the command ends, and a
	// large batch exhausts its pool.
	for _, u := range updates {
		if _, err := db.c(col).UpdateOne(ctx, bson.D{{Key: "_id", Value: u.k}}, u.update()); err != nil {
			return err
		}
	}
	return nil
}

// insertNew inserts docs, skipping those whose key exists; it returns the
// indexes of the skipped ones.
func (db *DB) insertNew(ctx context.Context, col string, docs []any) ([]int, error) {
	_, err := db.c(col).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return nil, err
	}
	existing := make([]int, 0, len(bwe.WriteErrors))
	for _, we := range bwe.WriteErrors {
		if !mongo.IsDuplicateKeyError(we) {
			return nil, err
		}
		existing = append(existing, we.Index)
	}
	return existing, nil
}
