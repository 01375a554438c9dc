package scaletest_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// binPath is the omnify binary TestMain builds; ferretURI is the MongoDB
// wire-protocol server it embeds. Both are empty when the integration
// environment is missing and every test skips.
var binPath, ferretURI string

const (
	envAMQP  = "OMNIFY_TEST_AMQP_URL"
	envRedis = "OMNIFY_TEST_REDIS_URL"
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

// run builds the binary once and serves FerretDB on a loopback port for the
// whole package, when RabbitMQ and Redis are configured.
func run(m *testing.M) int {
	if os.Getenv(envAMQP) == "" || os.Getenv(envRedis) == "" {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "omnify-scale-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "scaletest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if binPath, err = buildBinary(dir); err != nil {
		fmt.Fprintln(os.Stderr, "scaletest:", err)
		return 1
	}
	stop, err := startFerretDB(filepath.Join(dir, "ferretdb"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "scaletest:", err)
		return 1
	}
	defer stop()
	return m.Run()
}

// buildBinary builds omnify into dir, or returns the binary named by
// OMNIFY_TEST_BIN (a build CI already made).
func buildBinary(dir string) (string, error) {
	if bin := os.Getenv("OMNIFY_TEST_BIN"); bin != "" {
		return filepath.Abs(bin)
	}
	bin := filepath.Join(dir, "omnify")
	build := exec.Command("go", "build", "-o", bin, "github.com/omnify-cloud/omnify/cmd/omnify")
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build omnify: %w\n%s", err, out)
	}
	return bin, nil
}

// startFerretDB serves MongoDB's wire protocol on 127.0.0.1 from SQLite
// files under dir and sets ferretURI.
func startFerretDB(dir string) (stop func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ferretdb dir: %w", err)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return nil, fmt.Errorf("ferretdb: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	ferretURI = f.MongoDBURI()
	return func() { cancel(); <-done }, nil
}

// requireEnv skips a test that needs the integration environment.
func requireEnv(t *testing.T) {
	t.Helper()
	if binPath == "" {
		t.Skipf("%s and %s are not both set (e.g. amqp://guest:guest@127.0.0.1:5672/ and redis://127.0.0.1:6379/0); skipping scale-out test", envAMQP, envRedis)
	}
}
