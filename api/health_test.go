package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/omnifytest"
)

func TestHealth(t *testing.T) {
	broken := omnifytest.NewServer(t, omnifytest.WithDeps(func(d *api.Deps) {
		d.ReadyChecks = map[string]func(context.Context) error{
			"queue": func(context.Context) error { return errors.New("dial tcp 127.0.0.1:5672: connection refused") },
		}
	}))
	healthy := omnifytest.NewServer(t)
	for _, tc := range []struct {
		name     string
		srv      *omnifytest.Server
		path     string
		status   int
		contains []string
	}{
		{"live", healthy, "/health", 200, []string{`"status":"ok"`, `"version":"`}},
		{"ready", healthy, "/health/ready", 200, []string{`"status":"ok"`, `"store":"ok"`}},
		{"ready with a dependency down", broken, "/health/ready", 503,
			[]string{`"status":"unavailable"`, `"store":"ok"`, `"queue":"dial tcp 127.0.0.1:5672: connection refused"`}},
		{"live while a dependency is down", broken, "/health", 200, []string{`"status":"ok"`}},
		{"unknown health path", healthy, "/health/nope", 404, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.srv.Do(t, "GET", tc.path, "", nil)
			body := readAll(t, resp)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			for _, want := range tc.contains {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %s: %s", want, body)
				}
			}
		})
	}
}

func TestMetricsCountRequests(t *testing.T) {
	srv := omnifytest.NewServer(t)
	srv.Do(t, "GET", "/health", "", nil)
	srv.Do(t, "GET", "/v1/me", "", nil)
	body := readAll(t, srv.Do(t, "GET", "/metrics", "", nil))
	for _, want := range []string{"go_goroutines", "process_cpu_seconds_total", "omnify_http_requests_total"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestDocumentsAndDocs(t *testing.T) {
	srv := omnifytest.NewServer(t)
	spec := readAll(t, srv.Do(t, "GET", "/openapi.json", "", nil))
	for _, want := range []string{`"openapi":"3.1.0"`, `"/v1/auth/register"`, `"/v1/orgs/{org_id}/members/{user_id}"`, `"bearer"`} {
		if !strings.Contains(spec, want) {
			t.Errorf("openapi.json lacks %s", want)
		}
	}
	docs := srv.Do(t, "GET", "/docs", "", nil)
	if docs.StatusCode != 200 || !strings.Contains(readAll(t, docs), "<html") {
		t.Fatalf("docs: %d", docs.StatusCode)
	}
	if csp := docs.Header.Get("Content-Security-Policy"); csp == "" {
		t.Error("docs page has no content security policy")
	}
}

func TestUIMountedOutsideAPI(t *testing.T) {
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("dashboard " + r.URL.Path)) })
	srv := omnifytest.NewServer(t, omnifytest.WithDeps(func(d *api.Deps) { d.UI = ui }))
	for path, want := range map[string]string{
		"/":             "dashboard /",
		"/segments/abc": "dashboard /segments/abc",
		"/v1/nope":      `"status":404`,
		"/health":       `"status":"ok"`,
		"/webhooks/x":   `"status":404`,
	} {
		if got := readAll(t, srv.Do(t, "GET", path, "", nil)); !strings.Contains(got, want) {
			t.Errorf("GET %s = %s, want %s", path, got, want)
		}
	}
}

func TestPerOrgRateLimit(t *testing.T) {
	srv := omnifytest.NewServer(t, omnifytest.WithConfig(func(c *api.Config) {
		c.OrgRate = limit.Rate{Limit: 3, Period: time.Hour, Burst: 3}
	}))
	s := srv.Register(t, "ana@example.com", "Acme")
	var last *http.Response
	for i := 0; i < 4; i++ {
		last = srv.Do(t, "GET", "/v1/me", s.Token, nil)
		if i < 3 && (last.StatusCode != 200 || last.Header.Get("RateLimit-Limit") != "3") {
			t.Fatalf("request %d: %d, RateLimit-Limit %q", i, last.StatusCode, last.Header.Get("RateLimit-Limit"))
		}
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" || last.Header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("over the org rate: %d, headers %v", last.StatusCode, last.Header)
	}
	assertProblem(t, last, readAll(t, last))
	// Another org is not affected.
	other := srv.Register(t, "bob@example.com", "Other")
	if st := srv.DoJSON(t, "GET", "/v1/me", other.Token, nil, nil); st != 200 {
		t.Fatalf("other org: %d", st)
	}
}
