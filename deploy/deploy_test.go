package deploy_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// root is the repository root, seen from this package's directory.
const root = ".."

// configFiles lists every YAML and JSON file the deployment consists of.
func configFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{".", filepath.Join(root, ".github", "workflows")} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch filepath.Ext(path) {
			case ".yml", ".yaml", ".json":
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", dir, err)
		}
	}
	return files
}

// yamlDocs decodes every document of a YAML file into nodes.
func yamlDocs(t *testing.T, path string) []*yaml.Node {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		docs = append(docs, &n)
	}
}

// decodeYAML decodes a single-document YAML file into v.
func decodeYAML(t *testing.T, path string, v any) {
	t.Helper()
	docs := yamlDocs(t, path)
	if len(docs) != 1 {
		t.Fatalf("%s: %d YAML documents, want 1", path, len(docs))
	}
	if err := docs[0].Decode(v); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
}

var envTag = regexp.MustCompile(`env:"(OMNIFY_[A-Z0-9_]+)"`)

// binaryEnv is every OMNIFY_* variable the omnify command reads, taken from
// the kong tags of its flags.
func binaryEnv(t *testing.T) map[string]bool {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(root, "cmd", "omnify", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]bool{}
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		for _, m := range envTag.FindAllSubmatch(b, -1) {
			env[string(m[1])] = true
		}
	}
	if len(env) == 0 {
		t.Fatal("found no OMNIFY_* variables in cmd/omnify")
	}
	return env
}

// subcommands is the set of top-level commands of the omnify CLI, read
// from the CLI struct in cmd/omnify/main.go the way kong names them.
func subcommands(t *testing.T) map[string]bool {
	t.Helper()
	path := filepath.Join(root, "cmd", "omnify", "main.go")
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	cmds := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || ts.Name.Name != "CLI" {
			return true
		}
		for _, field := range ts.Type.(*ast.StructType).Fields.List {
			if name, ok := commandName(field); ok {
				cmds[name] = true
			}
		}
		return false
	})
	if len(cmds) == 0 {
		t.Fatalf("%s: no commands in the CLI struct", path)
	}
	return cmds
}

func commandName(field *ast.Field) (string, bool) {
	if field.Tag == nil || len(field.Names) != 1 {
		return "", false
	}
	raw, err := strconv.Unquote(field.Tag.Value)
	if err != nil {
		return "", false
	}
	tag := reflect.StructTag(raw)
	if _, ok := tag.Lookup("cmd"); !ok {
		return "", false
	}
	if name := tag.Get("name"); name != "" {
		return name, true
	}
	return kebab(field.Names[0].Name), true
}

// kebab spells a Go field name the way kong names its command.
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		lower := strings.ToLower(string(r))
		if i > 0 && lower != string(r) && s[i-1] >= 'a' && s[i-1] <= 'z' {
			b.WriteByte('-')
		}
		b.WriteString(lower)
	}
	return b.String()
}

// portOf returns the port of a host:port listen address.
func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("OMNIFY_ADDR %q: %v", addr, err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatalf("OMNIFY_ADDR %q: port: %v", addr, err)
	}
	return n
}

func TestEveryFileParses(t *testing.T) {
	files := configFiles(t)
	if len(files) < 10 {
		t.Fatalf("found %d deployment files, want the compose file, k8s manifests, monitoring and CI", len(files))
	}
	for _, path := range files {
		t.Run(path, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Ext(path) == ".json" {
				var v map[string]any
				if err := json.Unmarshal(b, &v); err != nil {
					t.Fatalf("parse: %v", err)
				}
				return
			}
			for i, doc := range yamlDocs(t, path) {
				var v map[string]any
				if err := doc.Decode(&v); err != nil || len(v) == 0 {
					t.Errorf("document %d is not a non-empty mapping (err %v)", i, err)
				}
			}
		})
	}
}

func TestKebab(t *testing.T) {
	tests := map[string]string{"Serve": "serve", "OpenAPI": "open-api", "Healthcheck": "healthcheck", "MigrateUp": "migrate-up"}
	for in, want := range tests {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%q) = %q, want %q", in, got, want)
		}
	}
}
