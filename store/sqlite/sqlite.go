// Package sqlite is OmniFy's embedded store: store.Store on one SQLite file
// through the pure-Go driver modernc.org/sqlite, in WAL mode with foreign
// keys on. It owns the schema and its versioned migrations.
//
// SQLite allows one writer at a time, so every write goes through a pool of
// exactly one connection: concurrent writers queue in Go instead of failing
// with SQLITE_BUSY, and guards that read then write (last owner, job claim,
// EYES versions) are atomic. Reads use a separate pool and, thanks to WAL,
// never wait for the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var _ store.Store = (*DB)(nil)

// Options tunes a DB. The zero value is ready to use.
type Options struct {
	// BusyTimeout is how long a connection waits for a lock another process
	// holds (e.g. `omnify migrate` beside a running server). Default 5s.
	BusyTimeout time.Duration
	// MaxReaders bounds the read pool. Default 4.
	MaxReaders int
	// Now stamps records created without a time. Default time.Now.
	Now func() time.Time
}

// WithDefaults returns o with zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.MaxReaders <= 0 {
		o.MaxReaders = 4
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// DB is the SQLite store.
type DB struct {
	write  *sql.DB // exactly one connection
	read   *sql.DB
	stmts  readStmts
	now    func() time.Time
	tmpDir string // removed on Close when the database is ephemeral
}

// Open opens (creating if needed) the database file at path. An empty path
// or ":memory:" opens an ephemeral database in a temporary directory that
// Close removes. Open does not migrate; call Migrate.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	opts = opts.WithDefaults()
	db := &DB{now: opts.Now}
	if path == "" || path == ":memory:" {
		dir, err := os.MkdirTemp("", "omnify-sqlite-")
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.tmpDir, path = dir, filepath.Join(dir, "omnify.db")
	}
	if err := db.openPools(ctx, path, opts); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

func (db *DB) openPools(ctx context.Context, path string, opts Options) error {
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=" +
		url.QueryEscape(fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	var err error
	db.write, err = sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)"+
		"&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)&_txlock=immediate") // 64 MiB page cache for large ingests
	if err != nil {
		return err
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)
	// The writer connects first so WAL mode is set before any reader opens.
	if err := db.write.PingContext(ctx); err != nil {
		return err
	}
	db.read, err = sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		return err
	}
	db.read.SetMaxOpenConns(opts.MaxReaders)
	db.read.SetMaxIdleConns(opts.MaxReaders)
	return db.read.PingContext(ctx)
}

// Ping reports whether both pools can reach the database.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite writer: %w", errors.Join(omnify.ErrUnavailable, err))
	}
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite reader: %w", errors.Join(omnify.ErrUnavailable, err))
	}
	return nil
}

// Close closes both pools and removes an ephemeral database. Closing twice
// is harmless.
func (db *DB) Close() error {
	var errs []error
	db.closeStmts()
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	if db.tmpDir != "" {
		errs = append(errs, os.RemoveAll(db.tmpDir))
		db.tmpDir = ""
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite: %w", err)
	}
	return nil
}

// inTx runs fn in one write transaction, committing when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	return nil
}

// classify translates driver errors into the domain's error kinds, keeping
// the driver error in the chain for logs.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return omnify.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", omnify.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: referenced record missing: %w", omnify.ErrNotFound, err)
		}
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

// placeholders returns "?, ?, ?" for n parameters.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// conds collects the conditions of a WHERE clause and their arguments.
type conds struct {
	parts []string
	args  []any
}

func (c *conds) add(cond string, args ...any) {
	c.parts = append(c.parts, cond)
	c.args = append(c.args, args...)
}

func (c *conds) where() string {
	if len(c.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.parts, " AND ")
}
