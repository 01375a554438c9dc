package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/api"
)

// e2eServer is `omnify serve` built by the same functions the command
// uses (openAppWith, buildServer, mountWebhooks) over SQLite in a temporary
// data dir, served with httptest, with its job workers and sync scheduler
// running as they do in the binary.
type e2eServer struct {
	URL    string
	client *http.Client
	app    *app
}

// startServe builds and starts the server with flags pointing the
// platforms at fake vendors; everything stops when the test ends.
func startServe(t *testing.T, flags ConnectorFlags) *e2eServer {
	t.Helper()
	cmd := &ServeCmd{
		Common:      Common{DataDir: t.TempDir(), LogLevel: "warn", LogFormat: "text"},
		Addr:        "127.0.0.1:0",
		BodyLimit:   1 << 20,
		IPRate:      100_000,
		OrgRate:     100_000,
		ImportLimit: 1 << 20,
		Workers:     2,
		Shutdown:    5 * time.Second,
		QueueFlags:  QueueFlags{JobLease: time.Minute, JobSweep: time.Second},
	}
	cmd.ConnectorFlags = flags
	if err := cmd.validate(); err != nil {
		t.Fatalf("serve settings: %v", err)
	}
	a, err := openAppWith(context.Background(), &cmd.Common, slog.New(slog.DiscardHandler), cmd.QueueFlags.jobsConfig(cmd.Workers))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	if err := cmd.QueueFlags.attach(a); err != nil {
		t.Fatalf("attach queue: %v", err)
	}
	srv, err := cmd.buildServer(a)
	if err != nil {
		a.Close()
		t.Fatalf("build server: %v", err)
	}
	mountWebhooks(a, srv, &cmd.ConnectorFlags)
	hs := httptest.NewServer(srv.Handler())
	workCtx, stopWork := context.WithCancel(context.Background())
	workDone := make(chan struct{})
	go func() { // as ServeCmd.serve runs the workers
		defer close(workDone)
		waitScheduler := a.conns.runScheduler(workCtx)
		a.jobs.Run(workCtx)
		waitScheduler()
	}()
	t.Cleanup(func() {
		hs.Close()
		stopWork()
		<-workDone
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	return &e2eServer{URL: hs.URL, client: hs.Client(), app: a}
}

// e2eUser is a registered user signed in to the org registration made.
type e2eUser struct {
	Token string
	OrgID string
}

// response is an answer read into memory.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// decode unmarshals the body into out, failing the test on bad JSON.
func (r response) decode(t *testing.T, out any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, out); err != nil {
		t.Fatalf("decode answer (%d): %v: %s", r.Status, err, r.Body)
	}
}

// do sends a request with an optional bearer token and JSON body.
func (s *e2eServer) do(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return s.send(t, req)
}

func (s *e2eServer) send(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", req.Method, req.URL.Path, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// must sends a request and fails the test unless the answer has status want.
func (s *e2eServer) must(t *testing.T, want int, method, path, token string, body, out any) {
	t.Helper()
	r := s.do(t, method, path, token, body)
	if r.Status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	if out != nil {
		r.decode(t, out)
	}
}

// register signs up a user with a new org.
func (s *e2eServer) register(t *testing.T, email, org string) e2eUser {
	t.Helper()
	var sess api.Session
	s.must(t, http.StatusCreated, http.MethodPost, "/v1/auth/register", "",
		map[string]string{"email": email, "password": "platforms e2e password 5521", "org_name": org}, &sess)
	return e2eUser{Token: sess.AccessToken, OrgID: sess.Org.ID}
}

// connect connects a platform and returns the connection.
func (s *e2eServer) connect(t *testing.T, u e2eUser, platform string, creds, config map[string]any, every *int) api.ConnectionItem {
	t.Helper()
	body := map[string]any{"platform": platform, "credentials": creds}
	if config != nil {
		body["config"] = config
	}
	if every != nil {
		body["sync_every_minutes"] = *every
	}
	var c api.ConnectionItem
	s.must(t, http.StatusCreated, http.MethodPost, "/v1/platforms/connect", u.Token, body, &c)
	if c.ID == "" || c.Platform != platform {
		t.Fatalf("connect %s answered %+v", platform, c)
	}
	return c
}

// syncAndWait starts a sync of the connection and waits for its job.
func (s *e2eServer) syncAndWait(t *testing.T, u e2eUser, connID string) api.SyncRunItem {
	t.Helper()
	var run api.SyncRunItem
	r := s.do(t, http.MethodPost, "/v1/connections/"+connID+"/sync", u.Token, map[string]any{})
	if r.Status != http.StatusAccepted {
		t.Fatalf("start sync: status %d, want 202: %s", r.Status, r.Body)
	}
	r.decode(t, &run)
	if run.JobID == "" || run.Trigger != "manual" {
		t.Fatalf("sync run %+v has no job or the wrong trigger", run)
	}
	s.waitJob(t, u, run.JobID)
	return s.syncRun(t, u, connID, run.ID)
}

// waitJob polls GET /v1/jobs/{id} until the job succeeds; a dead job or
// one that takes over 40 s fails the test.
func (s *e2eServer) waitJob(t *testing.T, u e2eUser, jobID string) api.JobItem {
	t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	var j api.JobItem
	for time.Now().Before(deadline) {
		s.must(t, http.StatusOK, http.MethodGet, "/v1/jobs/"+jobID, u.Token, nil, &j)
		switch j.Status {
		case "succeeded":
			return j
		case "dead":
			t.Fatalf("job %s (%s) died: %s", jobID, j.Kind, j.Error)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("job %s still %s after 40 s (last error %q)", jobID, j.Status, j.Error)
	return j
}

// syncRuns lists a connection's sync runs, newest first.
func (s *e2eServer) syncRuns(t *testing.T, u e2eUser, connID string) []api.SyncRunItem {
	t.Helper()
	var out struct {
		Items []api.SyncRunItem `json:"items"`
	}
	s.must(t, http.StatusOK, http.MethodGet, "/v1/connections/"+connID+"/syncs?limit=100", u.Token, nil, &out)
	return out.Items
}

func (s *e2eServer) syncRun(t *testing.T, u e2eUser, connID, runID string) api.SyncRunItem {
	t.Helper()
	for _, r := range s.syncRuns(t, u, connID) {
		if r.ID == runID {
			return r
		}
	}
	t.Fatalf("sync run %s is not among the connection's syncs", runID)
	return api.SyncRunItem{}
}

// customers lists the org's customers matching query (e.g. platform=x).
func (s *e2eServer) customers(t *testing.T, u e2eUser, query url.Values) []api.CustomerItem {
	t.Helper()
	var all []api.CustomerItem
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", "1000")
	for {
		var page struct {
			Items []api.CustomerItem `json:"items"`
			Next  string             `json:"next"`
		}
		s.must(t, http.StatusOK, http.MethodGet, "/v1/customers?"+q.Encode(), u.Token, nil, &page)
		all = append(all, page.Items...)
		if page.Next == "" {
			return all
		}
		q.Set("after", page.Next)
	}
}

// channels is GET /v1/analytics/channels.
func (s *e2eServer) channels(t *testing.T, u e2eUser) []channelRow {
	t.Helper()
	var out struct {
		Items []channelRow `json:"items"`
	}
	s.must(t, http.StatusOK, http.MethodGet, "/v1/analytics/channels", u.Token, nil, &out)
	return out.Items
}

// channelRow is one line of the channels report.
type channelRow struct {
	Channel     string `json:"channel"`
	Platform    string `json:"platform"`
	Currency    string `json:"currency"`
	Campaigns   int    `json:"campaigns"`
	SpendMinor  int64  `json:"spend_minor"`
	Impressions int64  `json:"impressions"`
	Clicks      int64  `json:"clicks"`
}

// auditEvents lists the org's audit events of one action, newest first.
func (s *e2eServer) auditEvents(t *testing.T, u e2eUser, action string) []auditRow {
	t.Helper()
	var out struct {
		Items []auditRow `json:"items"`
	}
	s.must(t, http.StatusOK, http.MethodGet, "/v1/orgs/"+u.OrgID+"/audit?action="+url.QueryEscape(action), u.Token, nil, &out)
	return out.Items
}

type auditRow struct {
	Action  string            `json:"action"`
	Target  string            `json:"target"`
	Details map[string]string `json:"details"`
}

// problem is a problem+json answer.
type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Location string `json:"location"`
		Message  string `json:"message"`
	} `json:"errors"`
}

// fieldsOf returns the fields a problem+json answer names, failing the
// test when the answer is not one.
func fieldsOf(t *testing.T, r response) []string {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q, want problem+json: %s", ct, r.Body)
	}
	var p problem
	r.decode(t, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Location)
	}
	slices.Sort(out)
	return out
}
