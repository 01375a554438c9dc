package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// MigrationStatus describes one schema migration.
type MigrationStatus struct {
	Version   int
	Name      string
	Applied   bool
	AppliedAt *time.Time
}

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations by version. Files are named
// NNNN_name.sql.
func migrations() ([]migration, error) {
	entries, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []migration
	for _, path := range entries {
		m, err := readMigration(path)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migration version %d used twice", out[i].version)
		}
	}
	return out, nil
}

func readMigration(path string) (migration, error) {
	base := strings.TrimSuffix(path[strings.LastIndex(path, "/")+1:], ".sql")
	num, name, ok := strings.Cut(base, "_")
	v, err := strconv.Atoi(num)
	if !ok || err != nil || v <= 0 {
		return migration{}, fmt.Errorf("migration %s: want NNNN_name.sql", path)
	}
	body, err := migrationFiles.ReadFile(path)
	if err != nil {
		return migration{}, fmt.Errorf("read migration %s: %w", path, err)
	}
	return migration{version: v, name: name, sql: string(body)}, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`

// Migrate applies every pending migration, each in its own transaction.
// Running it again is a no-op.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, createMigrationsTable); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := db.apply(ctx, m); err != nil {
			return fmt.Errorf("migrate %04d_%s: %w", m.version, m.name, err)
		}
	}
	return nil
}

// apply runs one migration unless it is recorded as applied; the check and
// the run share a transaction, so two processes cannot both apply it.
func (db *DB) apply(ctx context.Context, m migration) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n)
		if err != nil || n > 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, micro(db.now()))
		return err
	})
}

// MigrationStatus lists every known migration, applied or not.
func (db *DB) MigrationStatus(ctx context.Context) ([]MigrationStatus, error) {
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MigrationStatus, len(ms))
	for i, m := range ms {
		out[i] = MigrationStatus{Version: m.version, Name: m.name}
		if at, ok := applied[m.version]; ok {
			out[i].Applied, out[i].AppliedAt = true, &at
		}
	}
	return out, nil
}

func (db *DB) appliedMigrations(ctx context.Context) (map[int]time.Time, error) {
	var exists int
	err := db.read.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&exists)
	if err != nil || exists == 0 {
		return nil, wrap("migration status", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, wrap("migration status", err)
	}
	defer rows.Close()
	out := map[int]time.Time{}
	for rows.Next() {
		var v int
		var at int64
		if err := rows.Scan(&v, &at); err != nil {
			return nil, wrap("migration status", err)
		}
		out[v] = fromMicro(at)
	}
	return out, wrap("migration status", rows.Err())
}
