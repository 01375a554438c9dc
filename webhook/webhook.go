// Package webhook receives vendors' webhook deliveries at
// POST /webhooks/{platform}/{connection_id}: it checks each delivery's
// signature with the connection's own secret, drops repeats, and turns the
// delivery into an incremental sync of the streams it concerns. A delivery
// whose signature fails gets 401 and an audit event, and nothing else
// happens.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/cache"
	"github.com/omnify-cloud/omnify/connector"
)

// MaxBody bounds a delivery's body.
const MaxBody = 1 << 20

// ErrSignature is what a Verifier returns for a delivery it cannot trust.
var ErrSignature = errors.New("webhook signature invalid")

// Delivery is what a verified webhook asks of OmniFy.
type Delivery struct {
	EventID string   // the vendor's event ID, the same for every retry
	Topic   string   // e.g. "orders/create", "customer.updated"
	Streams []string // streams to sync incrementally; none: nothing to sync
	// Uninstalled says the platform revoked OmniFy's access.
	Uninstalled bool
	// Privacy says the delivery is a privacy request (redact, data request).
	Privacy bool
	// Erase are deletion records for the customer graph: a redaction
	// request's customer and orders, whose personal data is erased.
	Erase []connector.Record
}

// Request is a delivery as the vendor sent it. URL is the full address the
// vendor called (OMNIFY_PUBLIC_URL plus path and query), which some vendors
// sign.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
}

// Verifier checks one platform's delivery with the connection's decrypted
// credentials. It returns an error wrapping ErrSignature when the signature
// does not hold.
type Verifier func(r Request, creds map[string]string, now time.Time) (Delivery, error)

// Challenger answers a platform's ownership challenge (a GET to the
// webhook address, as LinkedIn sends when a subscription is registered)
// with the JSON body to return. It returns an error wrapping ErrSignature
// when the challenge is malformed.
type Challenger func(query url.Values, creds map[string]string) (any, error)

// Connections finds a connection by ID and opens its credentials.
type Connections interface {
	FindConnection(ctx context.Context, id string) (*omnify.Connection, error)
	SetConnectionHealth(ctx context.Context, c *omnify.Connection) error
}

// Syncer opens credentials and starts syncs.
type Syncer interface {
	Credentials(ctx context.Context, orgID, connID string) (*omnify.Connection, map[string]string, error)
	TriggerSync(ctx context.Context, orgID, connID string, streams []string) (*omnify.SyncRun, error)
}

// Sink is the customer graph deletions are written to.
type Sink interface {
	Store(ctx context.Context, orgID, connectionID, platform string, recs []connector.Record) error
}

// Auditor records what deliveries did.
type Auditor interface {
	AppendAudit(ctx context.Context, e *omnify.AuditEvent) error
}

// Receiver is the webhook endpoint.
type Receiver struct {
	Connections Connections
	Syncer      Syncer
	Sink        Sink
	Audit       Auditor
	Verifiers   map[string]Verifier   // by platform
	Challengers map[string]Challenger // by platform, for vendors that challenge
	// PublicURL is the address vendors reach OmniFy at (no trailing
	// slash); empty: http://<Host of the request>.
	PublicURL string
	// Replays, when set, remembers handled event IDs for every replica
	// (Redis), so a vendor's retry that reaches another replica is not
	// handled twice. Each process also remembers its own.
	Replays cache.Cache
	Log     *slog.Logger
	Now     func() time.Time
	NewID   func() string

	seen dedupe
}

// Pattern is the route deliveries arrive on; ChallengePattern the route
// of ownership challenges. The receiver serves both.
const (
	Pattern          = "POST /webhooks/{platform}/{connection_id}"
	ChallengePattern = "GET /webhooks/{platform}/{connection_id}"
)

// ServeHTTP answers one delivery or challenge.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		rc.challenge(w, r)
		return
	}
	platform, connID := r.PathValue("platform"), r.PathValue("connection_id")
	verify, ok := rc.Verifiers[platform]
	if !ok {
		http.Error(w, "unknown platform", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil || len(body) > MaxBody {
		http.Error(w, "body unreadable or too large", http.StatusRequestEntityTooLarge)
		return
	}
	ctx := r.Context()
	conn, err := rc.Connections.FindConnection(ctx, connID)
	if err != nil || conn.Platform != platform {
		// Unknown connections and wrong platforms look alike to the sender.
		http.Error(w, "unknown connection", http.StatusNotFound)
		return
	}
	req := Request{Method: r.Method, URL: rc.publicURL(r), Header: r.Header, Body: body}
	d, err := rc.verify(ctx, conn, verify, req)
	if err != nil {
		rc.reject(ctx, r, conn, err)
		http.Error(w, "signature invalid", http.StatusUnauthorized)
		return
	}
	event := platform + ":" + conn.ID + ":" + d.EventID
	if !rc.first(ctx, event) {
		w.WriteHeader(http.StatusOK) // a retry of a delivery already handled
		return
	}
	if err := rc.act(ctx, r, conn, d); err != nil {
		rc.forget(ctx, event) // let the vendor's retry try again
		rc.log().Error("webhook", "platform", platform, "connection_id", connID, "err", err)
		http.Error(w, "could not process, retry later", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// publicURL is the address the vendor called, as it called it.
func (rc *Receiver) publicURL(r *http.Request) string {
	base := rc.PublicURL
	if base == "" {
		base = "http://" + r.Host
	}
	return strings.TrimRight(base, "/") + r.URL.RequestURI()
}

// challenge answers an ownership challenge of a platform that sends them.
func (rc *Receiver) challenge(w http.ResponseWriter, r *http.Request) {
	platform, connID := r.PathValue("platform"), r.PathValue("connection_id")
	answer, ok := rc.Challengers[platform]
	if !ok {
		http.Error(w, "unknown platform", http.StatusNotFound)
		return
	}
	ctx := r.Context()
	conn, err := rc.Connections.FindConnection(ctx, connID)
	if err != nil || conn.Platform != platform {
		http.Error(w, "unknown connection", http.StatusNotFound)
		return
	}
	_, creds, err := rc.Syncer.Credentials(ctx, conn.OrgID, conn.ID)
	if err != nil {
		rc.log().Error("webhook challenge", "platform", platform, "connection_id", connID, "err", err)
		http.Error(w, "credentials unavailable, retry later", http.StatusServiceUnavailable)
		return
	}
	body, err := answer(r.URL.Query(), creds)
	if err != nil {
		rc.reject(ctx, r, conn, err)
		http.Error(w, "challenge invalid", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func (rc *Receiver) verify(ctx context.Context, conn *omnify.Connection, v Verifier, req Request) (Delivery, error) {
	_, creds, err := rc.Syncer.Credentials(ctx, conn.OrgID, conn.ID)
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: credentials unavailable: %v", ErrSignature, err)
	}
	d, err := v(req, creds, rc.now())
	if err != nil {
		return Delivery{}, err
	}
	if d.EventID == "" {
		return Delivery{}, fmt.Errorf("%w: delivery has no event ID", ErrSignature)
	}
	return d, nil
}

// act does what a verified delivery asks.
func (rc *Receiver) act(ctx context.Context, r *http.Request, conn *omnify.Connection, d Delivery) error {
	switch {
	case d.Uninstalled:
		conn.Health, conn.LastError = omnify.HealthDisconnected, "the app was uninstalled on the platform; connect again to resume syncing"
		conn.UpdatedAt = rc.now()
		if err := rc.Connections.SetConnectionHealth(ctx, conn); err != nil {
			return err
		}
	case len(d.Erase) > 0:
		if rc.Sink == nil {
			return errors.New("no customer graph to erase from")
		}
		if err := rc.Sink.Store(ctx, conn.OrgID, conn.ID, conn.Platform, d.Erase); err != nil {
			return fmt.Errorf("erase: %w", err)
		}
	case len(d.Streams) > 0:
		if _, err := rc.Syncer.TriggerSync(ctx, conn.OrgID, conn.ID, d.Streams); err != nil {
			return err
		}
	}
	action := "webhook.received"
	if d.Privacy {
		action = "webhook.privacy_request"
	}
	details := map[string]string{"topic": d.Topic, "event_id": d.EventID}
	if len(d.Erase) > 0 {
		details["erased_records"] = fmt.Sprint(len(d.Erase))
	}
	rc.audit(ctx, r, conn, action, details)
	return nil
}

func (rc *Receiver) reject(ctx context.Context, r *http.Request, conn *omnify.Connection, err error) {
	rc.log().Warn("webhook rejected", "platform", conn.Platform, "connection_id", conn.ID, "err", err)
	rc.audit(ctx, r, conn, "webhook.rejected", map[string]string{"reason": "invalid signature"})
}

func (rc *Receiver) audit(ctx context.Context, r *http.Request, conn *omnify.Connection, action string, details map[string]string) {
	ev := &omnify.AuditEvent{ID: rc.NewID(), OrgID: conn.OrgID, Action: action, Target: "connection:" + conn.ID,
		IP: r.RemoteAddr, UserAgent: r.UserAgent(), RequestID: r.Header.Get("X-Request-ID"), Details: details,
		CreatedAt: rc.now()}
	if err := rc.Audit.AppendAudit(context.WithoutCancel(ctx), ev); err != nil {
		rc.log().Error("webhook audit", "err", err)
	}
}

// replayTTL is how long a handled event ID is remembered across replicas:
// longer than vendors keep retrying (HubSpot and Shopify: up to 48 hours).
const replayTTL = 72 * time.Hour

// first reports whether event is new to this process and, when Replays is
// set, to every replica. A shared memory that cannot answer counts as "new":
// handling a delivery twice starts one idle incremental sync, losing one
// loses data.
func (rc *Receiver) first(ctx context.Context, event string) bool {
	if !rc.seen.first(event) {
		return false
	}
	if rc.Replays == nil {
		return true
	}
	if _, seen, err := rc.Replays.Get(ctx, event); err == nil && seen {
		return false
	}
	if err := rc.Replays.Set(ctx, event, []byte{1}, replayTTL); err != nil {
		rc.log().Warn("webhook replay memory", "err", err)
	}
	return true
}

func (rc *Receiver) forget(ctx context.Context, event string) {
	rc.seen.forget(event)
	if rc.Replays != nil {
		_ = rc.Replays.Delete(context.WithoutCancel(ctx), event)
	}
}

func (rc *Receiver) now() time.Time {
	if rc.Now != nil {
		return rc.Now().UTC()
	}
	return time.Now().UTC()
}

func (rc *Receiver) log() *slog.Logger {
	if rc.Log != nil {
		return rc.Log
	}
	return slog.New(slog.DiscardHandler)
}

// dedupe remembers recent event IDs of this process, bounded in size.
type dedupe struct {
	mu   sync.Mutex
	keys map[string]struct{}
}

const dedupeMax = 100_000

func (d *dedupe) first(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.keys == nil || len(d.keys) >= dedupeMax {
		d.keys = map[string]struct{}{}
	}
	if _, seen := d.keys[key]; seen {
		return false
	}
	d.keys[key] = struct{}{}
	return true
}

func (d *dedupe) forget(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.keys, key)
}
