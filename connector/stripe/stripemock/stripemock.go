// Package stripemock runs Stripe stand-ins for tests: Stripe's own
// stripe-mock server (Start), which validates requests against the official
// OpenAPI spec but is stateless, and Fake, an in-process server with real
// cursor pagination, an event log and fault injection for the behaviour
// stripe-mock cannot show.
package stripemock

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// InstallCommand installs the stripe-mock version the tests are written for.
const InstallCommand = "go install github.com/stripe/stripe-mock@v0.203.0"

// TestKey is a secret key stripe-mock and Fake accept.
const TestKey = "sk_test_omnify123"

// Start runs stripe-mock on loopback for the test and returns its HTTP base
// URL. It skips the test when the binary cannot be found. The server is
// killed by PID when the test ends.
func Start(tb testing.TB) string {
	tb.Helper()
	bin := findBinary()
	if bin == "" {
		tb.Skipf("stripe-mock not found (set STRIPE_MOCK_BIN or run %q)", InstallCommand)
	}
	var lastErr error
	// A reserved port can be taken before stripe-mock binds it; try again
	// on fresh ports.
	for range 3 {
		base, err := launch(tb, bin)
		if err == nil {
			return base
		}
		lastErr = err
	}
	tb.Fatalf("stripe-mock: %v", lastErr)
	return ""
}

func launch(tb testing.TB, bin string) (string, error) {
	httpAddr, httpsAddr := freeAddr(tb), freeAddr(tb)
	// Both listeners are pinned to loopback: given only -http-addr,
	// stripe-mock still opens HTTPS on every interface.
	cmd := exec.Command(bin, "-http-addr", httpAddr, "-https-addr", httpsAddr)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	base := "http://" + httpAddr
	if err := waitReady(base, exited, 15*time.Second); err != nil {
		stop()
		return "", fmt.Errorf("at %s: %w\n%s", base, err, logs.String())
	}
	tb.Cleanup(stop)
	return base, nil
}

// lockedBuffer collects the server's output, written from exec's copying
// goroutines and read on failure.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func findBinary() string {
	if p := os.Getenv("STRIPE_MOCK_BIN"); p != "" {
		if isExecutable(p) {
			return p
		}
		return ""
	}
	if gopath := goPath(); gopath != "" {
		p := filepath.Join(gopath, "bin", "stripe-mock")
		if isExecutable(p) {
			return p
		}
	}
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p
	}
	return ""
}

func goPath() string {
	if p := os.Getenv("GOPATH"); p != "" {
		return strings.Split(p, string(os.PathListSeparator))[0]
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// freeAddr reserves a loopback port by listening and closing; the short
// window before stripe-mock binds it is acceptable in tests.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("reserve port: %v", err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func waitReady(base string, exited <-chan struct{}, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("exited before answering")
		default:
		}
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/customers?limit=1", nil)
		req.Header.Set("Authorization", "Bearer "+TestKey)
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			lastErr = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			lastErr = err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s: %w", timeout, lastErr)
}
