package klaviyo_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
)

// TestReadErrors checks how vendor answers become protocol errors.
func TestReadErrors(t *testing.T) {
	t.Parallel()
	srv := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 30, Seed: 21})
	for _, tc := range []struct {
		name     string
		fault    *klaviyotest.Fault
		key      string
		wait     time.Duration // want a back-off of this wait (0: any)
		backOff  bool
		sentinel error
	}{
		{name: "429 with Retry-After", fault: &klaviyotest.Fault{Kind: klaviyotest.Fault429, RetryAfter: 7 * time.Second}, backOff: true, wait: 7 * time.Second},
		{name: "500", fault: &klaviyotest.Fault{Kind: klaviyotest.Fault500}, backOff: true},
		{name: "503 gateway page", fault: &klaviyotest.Fault{Kind: klaviyotest.Fault503}, backOff: true},
		{name: "truncated body", fault: &klaviyotest.Fault{Kind: klaviyotest.FaultTruncated}, backOff: true},
		{name: "refused key", key: "pk_revoked999", sentinel: connector.ErrAuth},
		{name: "malformed key", key: "sk_live_123", sentinel: connector.ErrInvalidConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := srv.Connection()
			if tc.key != "" {
				conn.Credentials["api_key"] = tc.key
			}
			if tc.fault != nil {
				srv.Inject(*tc.fault, 1)
			}
			err := klaviyo.New().Read(context.Background(), conn, klaviyo.StreamProfiles, nil, &recorder{})
			var bo *connector.BackOffError
			switch {
			case tc.backOff && !errors.As(err, &bo):
				t.Fatalf("err = %v, want a back-off", err)
			case tc.backOff && tc.wait != 0 && bo.Wait != tc.wait:
				t.Errorf("wait %s, want %s", bo.Wait, tc.wait)
			case tc.sentinel != nil && !errors.Is(err, tc.sentinel):
				t.Errorf("err = %v, want %v", err, tc.sentinel)
			}
		})
	}
}

// A 400 is permanent and carries Klaviyo's detail and the parameter.
func TestPermanentErrorNamesTheProblem(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.api+json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"errors":[{"id":"x","status":400,"code":"invalid","title":"Invalid input.",` +
			`"detail":"'birthday' is not a valid field for the resource","source":{"parameter":"filter"}}]}`))
	}))
	t.Cleanup(srv.Close)
	conn := connector.Connection{Credentials: map[string]string{"api_key": "pk_abc1234567"}, HTTP: srv.Client(), BaseURL: srv.URL}
	err := klaviyo.New().Read(context.Background(), conn, klaviyo.StreamLists, nil, &recorder{})
	var ae *klaviyo.APIError
	if !errors.Is(err, connector.ErrPermanent) || !errors.As(err, &ae) || ae.Status != 400 {
		t.Fatalf("err = %v, want a permanent APIError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "birthday") || !strings.Contains(msg, "parameter filter") {
		t.Errorf("message %q lacks Klaviyo's detail", msg)
	}
}

// A read resumed from a mid-read checkpoint continues at the saved link
// and, with the records before it, delivers every profile once.
func TestResumeFromMidReadCheckpoint(t *testing.T) {
	t.Parallel()
	srv := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 350, Seed: 22})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := &cancelAfter{n: 2, cancel: cancel}
	err := klaviyo.New().Read(ctx, srv.Connection(), klaviyo.StreamProfiles, nil, first)
	if !errors.Is(err, context.Canceled) || len(first.states) < 2 {
		t.Fatalf("first read: %v after %d checkpoints", err, len(first.states))
	}
	state := first.states[len(first.states)-1]
	if !strings.Contains(string(state), `"next"`) {
		t.Fatalf("mid-read state %s has no next link", state)
	}
	var second recorder
	if err := klaviyo.New().Read(context.Background(), srv.Connection(), klaviyo.StreamProfiles, state, &second); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range first.records[:first.covered] {
		seen[r.ExternalID]++
	}
	for _, r := range second.records {
		seen[r.ExternalID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("profile %s delivered %d times", id, n)
		}
	}
	if len(seen) != 350 {
		t.Errorf("%d profiles delivered, want 350", len(seen))
	}
}

// cancelAfter cancels the read after its n-th checkpoint and remembers how
// many records that checkpoint covers.
type cancelAfter struct {
	recorder
	n       int
	covered int
	cancel  func()
}

func (c *cancelAfter) Checkpoint(ctx context.Context, st json.RawMessage) error {
	_ = c.recorder.Checkpoint(ctx, st)
	if len(c.states) == c.n {
		c.covered = len(c.records)
		c.cancel()
	}
	return nil
}

// Profiles carry the consent Klaviyo holds, which it only sends when asked
// for the subscriptions field: the fake's mix of SUBSCRIBED, UNSUBSCRIBED
// and NEVER_SUBSCRIBED must come through as all three consents.
func TestProfileConsentFromSubscriptions(t *testing.T) {
	t.Parallel()
	srv := klaviyotest.NewServer(t, klaviyotest.Options{Profiles: 120, Seed: 23})
	var rec recorder
	if err := klaviyo.New().Read(context.Background(), srv.Connection(), klaviyo.StreamProfiles, nil, &rec); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range rec.records {
		got[r.Customer.Consent]++
	}
	if got["granted"] == 0 || got["denied"] == 0 || got["unknown"] == 0 || got["granted"]+got["denied"]+got["unknown"] != 120 {
		t.Errorf("consents %v, want all three over 120 profiles", got)
	}
}
