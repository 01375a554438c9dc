package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/mongo"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

// MigrateCopyCmd moves organisations from the embedded SQLite store to
// MongoDB: every record of each org and the users who are members of it,
// then a verification that both sides hold the same records.
type MigrateCopyCmd struct {
	From     string   `name:"from" required:"" placeholder:"sqlite:PATH" help:"Source: the embedded store's file, as sqlite:PATH."`
	To       string   `name:"to" required:"" placeholder:"mongodb://HOST/DB" help:"Target MongoDB URI (mongodb:// or mongodb+srv://)."`
	Database string   `name:"database" help:"Target database (default: the URI's path, else omnify)."`
	Orgs     []string `name:"org" placeholder:"ORG_ID" help:"Org to copy; repeat for several (default: every org)."`
	Batch    int      `name:"batch" default:"1000" help:"Records written per batch."`

	stdout, stderr io.Writer // tests capture the output
}

// copyTarget is what the copy writes into and verifies.
type copyTarget interface {
	store.Store
	store.Dumper
	store.Loader
}

// Run copies, verifies and prints the verification table; any mismatch is
// an error (a non-zero exit).
func (c *MigrateCopyCmd) Run() error {
	ctx := context.Background()
	path, uri, database, err := c.parse()
	if err != nil {
		return err
	}
	src, err := openCopySource(ctx, path)
	if err != nil {
		return err
	}
	defer src.Close()
	orgs, err := c.orgIDs(ctx, src)
	if err != nil {
		return err
	}
	dst, err := mongo.Open(ctx, uri, database, mongo.Options{})
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()
	if err := dst.Migrate(ctx); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	if err := checkTargetOrgs(ctx, src, dst, orgs); err != nil {
		return err
	}
	return c.copyAndVerify(ctx, src, dst, orgs)
}

func (c *MigrateCopyCmd) out() (io.Writer, io.Writer) {
	if c.stdout == nil {
		return os.Stdout, os.Stderr
	}
	return c.stdout, c.stderr
}

// parse checks the flags; errors name the flag at fault.
func (c *MigrateCopyCmd) parse() (path, uri, database string, err error) {
	path, ok := strings.CutPrefix(c.From, "sqlite:")
	if !ok || strings.TrimSpace(path) == "" {
		return "", "", "", fmt.Errorf("--from must be sqlite:PATH, e.g. sqlite:./data/omnify.db, not %q", c.From)
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return "", "", "", fmt.Errorf("--from: no SQLite file at %s", path)
	}
	u, perr := url.Parse(c.To)
	if perr != nil || (u.Scheme != "mongodb" && u.Scheme != "mongodb+srv") || u.Host == "" {
		return "", "", "", fmt.Errorf("--to must be a mongodb:// or mongodb+srv:// URI with a host")
	}
	database = strings.TrimSpace(c.Database)
	if database == "" {
		database = strings.Trim(u.Path, "/")
	}
	if database == "" {
		database = "omnify"
	}
	if strings.ContainsAny(database, `/\. "$`) {
		return "", "", "", fmt.Errorf("--database: %q is not a valid MongoDB database name", database)
	}
	if c.Batch < 1 || c.Batch > 10000 {
		return "", "", "", fmt.Errorf("--batch must be between 1 and 10000")
	}
	return path, c.To, database, nil
}

// openCopySource opens the SQLite file, which must be at the current
// schema: the copy reads it and never migrates it.
func openCopySource(ctx context.Context, path string) (*sqlite.DB, error) {
	db, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	sts, err := db.MigrationStatus(ctx)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("--from: %w", err)
	}
	for _, s := range sts {
		if !s.Applied {
			_ = db.Close()
			return nil, fmt.Errorf("--from: %s lacks migration %d (%s): run `omnify migrate up` on it first", path, s.Version, s.Name)
		}
	}
	return db, nil
}

// orgIDs returns the orgs named by --org, each checked to exist, or every
// org of the source.
func (c *MigrateCopyCmd) orgIDs(ctx context.Context, src *sqlite.DB) ([]string, error) {
	if len(c.Orgs) == 0 {
		ids, err := src.OrgIDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("--from: %w", err)
		}
		if len(ids) == 0 {
			return nil, fmt.Errorf("--from: the store holds no org")
		}
		return ids, nil
	}
	for _, id := range c.Orgs {
		if _, err := src.GetOrg(ctx, id); err != nil {
			return nil, fmt.Errorf("--org %s: %w", id, err)
		}
	}
	return c.Orgs, nil
}

// checkTargetOrgs refuses a target holding another org under a copied
// org's ID (one created there independently); the same org, from an
// earlier copy, is copied over.
func checkTargetOrgs(ctx context.Context, src, dst store.Store, orgs []string) error {
	for _, id := range orgs {
		got, err := dst.GetOrg(ctx, id)
		if errors.Is(err, omnify.ErrNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("--to: org %s: %w", id, err)
		}
		want, err := src.GetOrg(ctx, id)
		if err != nil {
			return fmt.Errorf("--from: org %s: %w", id, err)
		}
		if !got.CreatedAt.Equal(want.CreatedAt) {
			return fmt.Errorf("--to already holds a different org %s (%q, created %s; the source's %q was created %s): %w",
				id, got.Name, got.CreatedAt.Format(time.RFC3339), want.Name, want.CreatedAt.Format(time.RFC3339), omnify.ErrConflict)
		}
	}
	return nil
}

// copyAndVerify copies the kinds of record the target does not already
// hold exactly (all of them the first time; none when re-run after a
// complete copy), then verifies every kind.
func (c *MigrateCopyCmd) copyAndVerify(ctx context.Context, src *sqlite.DB, dst copyTarget, orgs []string) error {
	stdout, stderr := c.out()
	start := time.Now()
	before, err := verifyCopy(ctx, src, dst, orgs)
	if err != nil {
		return err
	}
	todo := map[string]bool{}
	for _, r := range before {
		todo[r.Kind] = !r.OK()
	}
	n, err := copyItems(ctx, src, dst, orgs, todo, c.Batch, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "copied %d records of %d orgs in %s; verifying\n", n, len(orgs), time.Since(start).Round(time.Millisecond))
	rows, err := verifyCopy(ctx, src, dst, orgs)
	if err != nil {
		return err
	}
	bad := printVerification(stdout, rows)
	if bad > 0 {
		return fmt.Errorf("copy verification failed: %d kind(s) differ (was the source written to during the copy? stop the server and copy again)", bad)
	}
	return nil
}

// copyItems streams the source's items of the kinds in todo into the
// target in batches, reporting progress after each.
func copyItems(ctx context.Context, src store.Dumper, dst store.Loader, orgs []string, todo map[string]bool, batch int, progress io.Writer) (int, error) {
	buf := make([]store.Item, 0, batch)
	total := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := dst.Load(ctx, buf); errors.Is(err, omnify.ErrConflict) {
			return fmt.Errorf("copy to --to: the target holds another record with a unique key of a copied one "+
				"(e.g. a user's email under another user ID): %w", err)
		} else if err != nil {
			return fmt.Errorf("copy to --to: %w", err)
		}
		total += len(buf)
		fmt.Fprintf(progress, "copied %d records (%s)\n", total, buf[len(buf)-1].Kind)
		buf = buf[:0]
		return nil
	}
	err := src.Dump(ctx, orgs, func(it store.Item) error {
		if !todo[it.Kind] {
			return nil
		}
		buf = append(buf, it)
		if len(buf) == batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return total, err
}

// kindSum is one kind's verification: the count and SHA-256 of each side.
type kindSum struct {
	Kind              string
	Source, Target    int
	SourceSum, TgtSum string
}

// OK reports whether both sides hold the same records.
func (k kindSum) OK() bool { return k.Source == k.Target && k.SourceSum == k.TgtSum }

// verifyCopy dumps both sides and compares them kind by kind.
func verifyCopy(ctx context.Context, src, dst store.Dumper, orgs []string) ([]kindSum, error) {
	s, err := checksums(ctx, src, orgs)
	if err != nil {
		return nil, fmt.Errorf("verify --from: %w", err)
	}
	d, err := checksums(ctx, dst, orgs)
	if err != nil {
		return nil, fmt.Errorf("verify --to: %w", err)
	}
	rows := make([]kindSum, 0, len(store.Kinds))
	for _, k := range store.Kinds {
		rows = append(rows, kindSum{Kind: k, Source: s[k].n, Target: d[k].n, SourceSum: s[k].sum(), TgtSum: d[k].sum()})
	}
	return rows, nil
}

type running struct {
	n int
	h hash.Hash
}

func (r *running) sum() string { return hex.EncodeToString(r.h.Sum(nil)) }

// checksums counts a dump's items per kind and hashes each item's key and
// canonical JSON in dump order.
func checksums(ctx context.Context, d store.Dumper, orgs []string) (map[string]*running, error) {
	sums := map[string]*running{}
	for _, k := range store.Kinds {
		sums[k] = &running{h: sha256.New()}
	}
	err := d.Dump(ctx, orgs, func(it store.Item) error {
		r, ok := sums[it.Kind]
		if !ok {
			return fmt.Errorf("unknown kind %q", it.Kind)
		}
		canon, err := store.CanonicalJSON(it.Data)
		if err != nil {
			return fmt.Errorf("%s %s: %w", it.Kind, it.Key, err)
		}
		r.n++
		r.h.Write([]byte(it.Key))
		r.h.Write([]byte{0})
		r.h.Write(canon)
		r.h.Write([]byte{'\n'})
		return nil
	})
	return sums, err
}

// printVerification writes the table and returns how many kinds differ.
func printVerification(w io.Writer, rows []kindSum) int {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tSOURCE\tTARGET\tSHA-256\tMATCH")
	bad := 0
	for _, r := range rows {
		match := "ok"
		if !r.OK() {
			match, bad = "MISMATCH", bad+1
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", r.Kind, r.Source, r.Target, r.SourceSum[:16], match)
	}
	_ = tw.Flush()
	return bad
}
