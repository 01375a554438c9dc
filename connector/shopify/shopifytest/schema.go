package shopifytest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// SchemaFile is the Admin API SDL, relative to the shared folder that sits
// beside the repository root.
const SchemaFile = "shared/specs/shopify/admin_schema_2025-01.graphql"

var (
	schemaOnce sync.Once
	schema     *ast.Schema
	schemaErr  error
)

// loadSchema parses the SDL once per test binary (about 0.2 s).
func loadSchema() (*ast.Schema, error) {
	schemaOnce.Do(func() {
		path, err := schemaPath()
		if err != nil {
			schemaErr = err
			return
		}
		b, err := os.ReadFile(path)
		if err != nil {
			schemaErr = fmt.Errorf("read schema: %w", err)
			return
		}
		s, gerr := gqlparser.LoadSchema(&ast.Source{Name: filepath.Base(path), Input: string(b)})
		if gerr != nil {
			schemaErr = fmt.Errorf("parse schema: %w", gerr)
			return
		}
		schema = s
	})
	return schema, schemaErr
}

var errNoSchema = errors.New("schema file not found")

// schemaPath walks up from the working directory to go.mod and looks for
// the shared folder beside that root.
func schemaPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find schema: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(filepath.Dir(dir), SchemaFile)
			if _, err := os.Stat(p); err != nil {
				return "", fmt.Errorf("%w: %s", errNoSchema, p)
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no go.mod above the working directory", errNoSchema)
		}
		dir = parent
	}
}
