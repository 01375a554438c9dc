package deploy_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/omnify-cloud/omnify/omnifytest"
)

// liveRoutes answers GET path on a real API server, so a probe or scrape
// path in the deployment files is checked against what the binary serves,
// not against a copy of the route table.
type liveRoutes struct {
	srv *omnifytest.Server
}

func newLiveRoutes(t *testing.T) *liveRoutes {
	t.Helper()
	return &liveRoutes{srv: omnifytest.NewServer(t)}
}

// get returns the status and body of an unauthenticated GET, as a kubelet
// or Prometheus would send it.
func (l *liveRoutes) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp := l.srv.Do(t, http.MethodGet, path, "", nil)
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// requireOK fails unless path answers 200.
func (l *liveRoutes) requireOK(t *testing.T, what, path string) {
	t.Helper()
	if st, body := l.get(t, path); st != http.StatusOK {
		t.Errorf("%s: GET %s = %d, want 200: %.200s", what, path, st, body)
	}
}

var (
	metricNameOnce sync.Once
	metricNames    map[string]bool
	metricNameRE   = regexp.MustCompile(`Name:\s*"(omnify_[a-z0-9_]+)"`)
)

// sourceMetrics is every omnify_* metric name the Go code registers,
// read from the Name fields of its collector options.
func sourceMetrics(t *testing.T) map[string]bool {
	t.Helper()
	metricNameOnce.Do(func() {
		metricNames = map[string]bool{}
		_ = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "web") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			for _, m := range metricNameRE.FindAllSubmatch(b, -1) {
				metricNames[string(m[1])] = true
			}
			return nil
		})
	})
	if len(metricNames) == 0 {
		t.Fatal("found no omnify_* metrics in the Go code")
	}
	return metricNames
}
