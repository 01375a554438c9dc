package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

// OpenAPICmd prints the API's OpenAPI 3.1 document, from which the
// dashboard's API types are generated.
type OpenAPICmd struct{}

// Run builds the API on a throw-away store and prints its document.
func (c *OpenAPICmd) Run() error {
	dir, err := os.MkdirTemp("", "omnify-openapi-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "omnify.db"), sqlite.Options{})
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer db.Close()
	srv, err := api.New(api.Config{}, api.Deps{Store: db})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(srv.API().OpenAPI())
}
