package webhook_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/store"
	"github.com/omnify-cloud/omnify/store/sqlite"
	"github.com/omnify-cloud/omnify/webhook"
)

// fakeSyncer hands out one secret per connection and records triggers.
type fakeSyncer struct {
	store    store.Store
	mu       sync.Mutex
	triggers [][]string
	erased   []connector.Record
}

// Store is the fake customer graph.
func (f *fakeSyncer) Store(_ context.Context, _, _, _ string, recs []connector.Record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.erased = append(f.erased, recs...)
	return nil
}

func (f *fakeSyncer) Credentials(ctx context.Context, orgID, connID string) (*omnify.Connection, map[string]string, error) {
	c, err := f.store.GetConnection(ctx, orgID, connID)
	if err != nil {
		return nil, nil, err
	}
	return c, map[string]string{"secret": "s3cret-" + connID}, nil
}

func (f *fakeSyncer) TriggerSync(_ context.Context, _, _ string, streams []string) (*omnify.SyncRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.triggers = append(f.triggers, streams)
	return &omnify.SyncRun{}, nil
}

// verify is a vendor-like scheme: hex HMAC-SHA256 of the body in X-Sig,
// the event ID in X-Event, the topic in X-Topic.
func verify(r webhook.Request, creds map[string]string, _ time.Time) (webhook.Delivery, error) {
	h := r.Header
	mac := hmac.New(sha256.New, []byte(creds["secret"]))
	mac.Write(r.Body)
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(h.Get("X-Sig"))) {
		return webhook.Delivery{}, webhook.ErrSignature
	}
	d := webhook.Delivery{EventID: h.Get("X-Event"), Topic: h.Get("X-Topic")}
	switch d.Topic {
	case "orders/create":
		d.Streams = []string{"orders"}
	case "app/uninstalled":
		d.Uninstalled = true
	case "customers/redact":
		d.Privacy = true
		d.Erase = []connector.Record{{Stream: "customers", ExternalID: "42", Deleted: true}}
	}
	return d, nil
}

func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

type env struct {
	srv  *httptest.Server
	db   *sqlite.DB
	sync *fakeSyncer
	conn *omnify.Connection
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "w.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOrg(t.Context(), &omnify.Org{ID: "org-1", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	conn := &omnify.Connection{ID: "conn-1", OrgID: "org-1", Platform: "shopify", Name: "Shop",
		Health: omnify.HealthHealthy, CredentialsCiphertext: []byte{1}}
	if err := db.CreateConnection(t.Context(), conn); err != nil {
		t.Fatal(err)
	}
	fs := &fakeSyncer{store: db}
	n := 0
	rc := &webhook.Receiver{Connections: db, Syncer: fs, Audit: db, Sink: fs,
		Verifiers: map[string]webhook.Verifier{"shopify": verify},
		NewID:     func() string { n++; return fmt.Sprintf("ev-%d", n) }}
	mux := http.NewServeMux()
	mux.Handle(webhook.Pattern, rc)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &env{srv: srv, db: db, sync: fs, conn: conn}
}

func (e *env) post(t *testing.T, path, sig, event, topic string, body []byte) int {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("X-Sig", sig)
	req.Header.Set("X-Event", event)
	req.Header.Set("X-Topic", topic)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (e *env) actions(t *testing.T) []string {
	t.Helper()
	evs, _, err := e.db.ListAudit(t.Context(), "org-1", store.AuditFilter{}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Action)
	}
	return out
}

func TestDeliveries(t *testing.T) {
	e := newEnv(t)
	body := []byte(`{"id": 1}`)
	good := sign("s3cret-conn-1", body)
	path := "/webhooks/shopify/conn-1"
	tests := []struct {
		name, path, sig, event string
		body                   []byte
		want, wantTriggers     int
	}{
		{"valid delivery syncs", path, good, "e1", body, 200, 1},
		{"a retry of it does nothing", path, good, "e1", body, 200, 1},
		{"a new event syncs again", path, good, "e2", body, 200, 2},
		{"wrong signature", path, sign("other", body), "e3", body, 401, 2},
		{"tampered body", path, good, "e4", []byte(`{"id": 2}`), 401, 2},
		{"unknown connection", "/webhooks/shopify/nope", good, "e5", body, 404, 2},
		{"wrong platform", "/webhooks/stripe/conn-1", good, "e6", body, 404, 2},
		{"too large", path, good, "e7", bytes.Repeat([]byte("x"), webhook.MaxBody+1), 413, 2},
	}
	for _, tt := range tests {
		if got := e.post(t, tt.path, tt.sig, tt.event, "orders/create", tt.body); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
		if got := len(e.sync.triggers); got != tt.wantTriggers {
			t.Errorf("%s: %d syncs triggered, want %d", tt.name, got, tt.wantTriggers)
		}
	}
	acts := strings.Join(e.actions(t), ",")
	if strings.Count(acts, "webhook.rejected") != 2 || strings.Count(acts, "webhook.received") != 2 {
		t.Fatalf("audit log %s: want 2 received and 2 rejected", acts)
	}
}

func TestUninstallDisconnects(t *testing.T) {
	e := newEnv(t)
	body := []byte(`{}`)
	if got := e.post(t, "/webhooks/shopify/conn-1", sign("s3cret-conn-1", body), "u1", "app/uninstalled", body); got != 200 {
		t.Fatalf("uninstall: %d", got)
	}
	c, err := e.db.GetConnection(t.Context(), "org-1", "conn-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Health != omnify.HealthDisconnected || c.LastError == "" {
		t.Fatalf("after uninstall: health %s (%q), want disconnected with a reason", c.Health, c.LastError)
	}
	if len(e.sync.triggers) != 0 {
		t.Fatal("uninstall triggered a sync")
	}
}

func TestRedactionErases(t *testing.T) {
	e := newEnv(t)
	body := []byte(`{"customer": {"id": 42}}`)
	if got := e.post(t, "/webhooks/shopify/conn-1", sign("s3cret-conn-1", body), "r1", "customers/redact", body); got != 200 {
		t.Fatalf("redact: %d", got)
	}
	if len(e.sync.erased) != 1 || !e.sync.erased[0].Deleted || e.sync.erased[0].ExternalID != "42" {
		t.Fatalf("erased %+v, want customer 42 deleted", e.sync.erased)
	}
	if acts := strings.Join(e.actions(t), ","); !strings.Contains(acts, "webhook.privacy_request") {
		t.Fatalf("audit log %s has no privacy request", acts)
	}
}
