package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/omnify-cloud/omnify/store/sqlite"
)

// MigrateCmd manages the embedded store's schema.
type MigrateCmd struct {
	Up     MigrateUpCmd     `cmd:"" help:"Apply every pending migration."`
	Status MigrateStatusCmd `cmd:"" help:"List migrations and whether each is applied."`
	Copy   MigrateCopyCmd   `cmd:"" help:"Copy organisations from the embedded SQLite store to MongoDB and verify the copy."`
}

// MigrateUpCmd applies pending migrations.
type MigrateUpCmd struct{ Common }

// Run applies the migrations.
func (c *MigrateUpCmd) Run() error {
	if c.MongoURI != "" {
		// MongoDB's schema is its indexes, which opening creates.
		db, err := c.openStore(context.Background(), "")
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		fmt.Println("store is up to date")
		return db.Close()
	}
	db, err := c.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	fmt.Println("store is up to date")
	return nil
}

// MigrateStatusCmd prints the migration table.
type MigrateStatusCmd struct{ Common }

// Run prints each migration's state.
func (c *MigrateStatusCmd) Run() error {
	db, err := c.open()
	if err != nil {
		return err
	}
	defer db.Close()
	sq, ok := db.(*sqlite.DB)
	if !ok {
		fmt.Println("MongoDB has no numbered migrations: `omnify migrate up` creates any missing index.")
		return nil
	}
	sts, err := sq.MigrationStatus(context.Background())
	if err != nil {
		return fmt.Errorf("migration status: %w", err)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tAPPLIED")
	for _, s := range sts {
		applied := "pending"
		if s.Applied && s.AppliedAt != nil {
			applied = s.AppliedAt.Format(time.RFC3339)
		} else if s.Applied {
			applied = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, s.Name, applied)
	}
	return tw.Flush()
}

// open opens the store the settings choose (SQLite under the data dir, or
// MongoDB when OMNIFY_MONGO_URI is set), without migrating it.
func (c *Common) open() (backend, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	dir, err := c.ensureDataDir()
	if err != nil {
		return nil, err
	}
	return c.openBackend(context.Background(), c.dbPath(dir))
}
