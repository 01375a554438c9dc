package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/importer"
)

// ImportCmd imports a CSV file into an organisation's customer graph, as
// POST /v1/imports does.
type ImportCmd struct {
	Common
	Org      string `name:"org" required:"" help:"ID of the organisation to import into."`
	File     string `name:"file" required:"" type:"existingfile" help:"A transactions CSV (customer_id, order_date, amount; optional order_id, email, currency, consent), or a Shopify customer or order export."`
	Currency string `name:"currency" env:"OMNIFY_IMPORT_CURRENCY" default:"USD" help:"Currency of amounts in files that do not name one."`
}

// Run validates the whole file, writes it only when it is clean, and
// prints the report as JSON. Problems are printed one a line to stderr.
func (c *ImportCmd) Run() error {
	if err := c.validate(); err != nil {
		return err
	}
	ctx := context.Background()
	a, err := openApp(ctx, &c.Common, c.logger(os.Stderr), 0)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.store.GetOrg(ctx, c.Org); err != nil {
		return fmt.Errorf("organisation %s: %w", c.Org, err)
	}
	f, err := os.Open(c.File)
	if err != nil {
		return fmt.Errorf("open import file: %w", err)
	}
	defer f.Close()
	rep, err := importer.New(newIdentitySink(a), importer.Options{Currency: c.Currency}).Import(ctx, c.Org, newID(), f)
	if errors.Is(err, importer.ErrRejected) {
		for _, e := range rep.Errors {
			fmt.Fprintf(os.Stderr, "%s:%d: %s\n", c.File, e.Line, problemText(e))
		}
		return fmt.Errorf("%s rejected: %d problem(s); nothing was imported", c.File, rep.ErrorCount)
	}
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func problemText(e importer.LineError) string {
	if e.Column == "" {
		return e.Message
	}
	return e.Column + ": " + e.Message
}

// newIdentitySink is the sink synced and imported records are stored
// through: the customer graph on the app's store.
func newIdentitySink(a *app) *identity.Sink {
	return identity.NewSink(a.store, identity.Options{})
}
