package api_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/omnifytest"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLogNamesOrgAndRoute(t *testing.T) {
	logs := &syncBuffer{}
	srv := omnifytest.NewServer(t, omnifytest.WithDeps(func(d *api.Deps) {
		d.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	}))
	s := srv.Register(t, "ana@example.com", "Acme")
	srv.Do(t, "GET", "/v1/orgs/"+s.OrgID+"/members", s.Token, nil)
	var line string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "/members") {
			line = l
		}
	}
	for _, want := range []string{s.OrgID, "/v1/orgs/{org_id}/members", `"status":200`} {
		if !strings.Contains(line, want) {
			t.Errorf("access log line lacks %s: %s", want, line)
		}
	}
	if strings.Contains(logs.String(), s.Token) || strings.Contains(logs.String(), omnifytest.Password) {
		t.Error("a token or password reached the log")
	}
}

func TestPipeline(t *testing.T) {
	srv := omnifytest.NewServer(t, omnifytest.WithConfig(func(c *api.Config) {
		c.IPRate = limit.Rate{Limit: 5, Period: time.Hour, Burst: 5}
		c.CORSOrigins = []string{"https://app.example.com"}
	}))
	pre := request(t, srv, "OPTIONS", "/v1/me", map[string]string{
		"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"})
	if pre.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("preflight from an allowed origin: %v", pre.Header)
	}
	foreign := request(t, srv, "GET", "/health", map[string]string{"Origin": "https://evil.example.com"})
	if foreign.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("a foreign origin was allowed")
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Request-Id"} {
		if foreign.Header.Get(h) == "" {
			t.Errorf("response lacks %s", h)
		}
	}
	var last *http.Response
	for range 5 {
		last = srv.Do(t, "GET", "/health", "", nil)
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("past the per-IP rate: %d", last.StatusCode)
	}
	assertProblem(t, last, readAll(t, last))
}

func request(t *testing.T, srv *omnifytest.Server, method, path string, headers map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}
