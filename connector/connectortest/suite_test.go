package connectortest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/connectortest/memshop"
	"github.com/omnify-cloud/omnify/connector/manager"
)

// harness describes a memshop, optionally wrapped by wrap.
func harness(shop *memshop.Shop, wrap func(connector.Connector) connector.Connector) connectortest.Harness {
	conn := func(token string) func(testing.TB) connector.Connection {
		return func(testing.TB) connector.Connection {
			return connector.Connection{ID: "conn-1", OrgID: "org-1",
				Credentials: map[string]string{"access_token": token}, Config: map[string]string{}}
		}
	}
	return connectortest.Harness{
		New: func() connector.Connector {
			if wrap != nil {
				return wrap(shop)
			}
			return shop
		},
		Connection:     conn(memshop.Token),
		BadCredentials: conn("shp_refused000"),
		Expected:       func(_ testing.TB, stream string) int { return shop.Count(stream) },
		Mutate:         func(testing.TB) { shop.Mutate() },
		Faults:         func(_ testing.TB, on bool) { shop.Faults(on) },
		Features: connectortest.Features{
			Incremental: map[string]bool{memshop.Customers: true, memshop.Orders: true},
			Faults:      true,
		},
	}
}

func TestSuiteOnMemshop(t *testing.T) {
	t.Parallel()
	connectortest.Run(t, harness(memshop.New(40), nil))
}

// The platform manager is a decorator: what it wraps must still pass.
func TestSuiteOnManagedMemshop(t *testing.T) {
	t.Parallel()
	wrap := func(c connector.Connector) connector.Connector {
		// The inner manager's own waits are skipped; the suite's fault
		// test drives retries through a manager of its own.
		return manager.Wrap(c, manager.Options{MaxAttempts: 1,
			Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	}
	connectortest.Run(t, harness(memshop.New(25), wrap))
}

const flawEnv = "OMNIFY_CONNECTORTEST_FLAW"

// TestSuiteOnFlawedMemshop runs the suite against a deliberately broken
// shop; it only runs in the subprocess TestSuiteCatchesFlaws starts.
func TestSuiteOnFlawedMemshop(t *testing.T) {
	flaw := os.Getenv(flawEnv)
	if flaw == "" {
		t.Skip("runs only as a subprocess of TestSuiteCatchesFlaws")
	}
	shop := memshop.New(20)
	shop.Flaw = memshop.Flaw(flaw)
	connectortest.Run(t, harness(shop, nil))
}

func TestSuiteCatchesFlaws(t *testing.T) {
	t.Parallel()
	tests := []struct {
		flaw    memshop.Flaw
		failing string // the subtest that must fail
	}{
		{memshop.Backwards, "state_never_moves_backwards/orders"},
		{memshop.IgnoresCancel, "cancellation"},
		{memshop.WrongAuthError, "check"},
		{memshop.Duplicates, "full_read/customers"},
		{memshop.IgnoresState, "incremental"},
		{memshop.IDCursor, "incremental"},
		{memshop.UnmarkedSecret, "spec"},
	}
	for _, tt := range tests {
		t.Run(string(tt.flaw), func(t *testing.T) {
			t.Parallel()
			out, err := runFlawed(t, tt.flaw)
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed a shop that is %s (err %v):\n%s", tt.flaw, err, out)
			}
			if want := "--- FAIL: TestSuiteOnFlawedMemshop/" + tt.failing + " "; !strings.Contains(out, want) {
				t.Fatalf("output lacks %q:\n%s", want, out)
			}
		})
	}
}

func runFlawed(t *testing.T, flaw memshop.Flaw) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSuiteOnFlawedMemshop$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), flawEnv+"="+string(flaw))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}
