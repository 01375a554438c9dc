package stripe_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/stripe"
)

func TestValidateCredentials(t *testing.T) {
	cases := []struct {
		name  string
		creds map[string]string
		ok    bool
	}{
		{"secret test key", map[string]string{"secret_key": "sk_test_51Abc"}, true},
		{"restricted live key", map[string]string{"secret_key": "rk_live_Z9"}, true},
		{"with webhook secret", map[string]string{"secret_key": "sk_test_1", "webhook_secret": "whsec_abc123"}, true},
		{"empty webhook secret", map[string]string{"secret_key": "sk_test_1", "webhook_secret": ""}, true},
		{"missing key", map[string]string{}, false},
		{"publishable key", map[string]string{"secret_key": "pk_test_123"}, false},
		{"no mode", map[string]string{"secret_key": "sk_123"}, false},
		{"space inside", map[string]string{"secret_key": "sk_test_12 3"}, false},
		{"trailing newline", map[string]string{"secret_key": "sk_test_123\n"}, false},
		{"bad webhook secret", map[string]string{"secret_key": "sk_test_1", "webhook_secret": "secret"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := stripe.ValidateCredentials(tc.creds)
			if tc.ok && err != nil {
				t.Fatalf("want ok, got %v", err)
			}
			if !tc.ok && !errors.Is(err, connector.ErrInvalidConfig) {
				t.Fatalf("want ErrInvalidConfig, got %v", err)
			}
		})
	}
}

func TestSpecAndStreams(t *testing.T) {
	c := stripe.New()
	spec := c.Spec()
	if spec.Platform != connector.Stripe {
		t.Fatalf("platform %q", spec.Platform)
	}
	props := spec.Credentials["properties"].(map[string]any)
	for _, name := range []string{"secret_key", "webhook_secret"} {
		p, ok := props[name].(map[string]any)
		if !ok || p["x-secret"] != true {
			t.Errorf("%s must be an x-secret property: %v", name, props[name])
		}
	}
	if _, err := json.Marshal(spec); err != nil {
		t.Fatalf("spec must encode: %v", err)
	}
	var names []string
	for _, s := range c.Streams() {
		if !s.Incremental {
			t.Errorf("%s should be incremental", s.Name)
		}
		names = append(names, s.Name)
	}
	want := []string{"customers", "charges", "invoices", "subscriptions"}
	if len(names) != len(want) {
		t.Fatalf("streams %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("streams %v, want %v", names, want)
		}
	}
}

func TestReadRefusesBadInput(t *testing.T) {
	c := stripe.New()
	rec := &recorder{}
	ctx := context.Background()
	good := conn("http://127.0.0.1:1", "sk_test_1")
	if err := c.Read(ctx, good, "orders", nil, rec); !errors.Is(err, connector.ErrUnknownStream) {
		t.Errorf("unknown stream: %v", err)
	}
	if err := c.Read(ctx, good, "customers", json.RawMessage(`{"phase":"sideways"}`), rec); !errors.Is(err, connector.ErrPermanent) {
		t.Errorf("bad phase: %v", err)
	}
	if err := c.Read(ctx, good, "customers", json.RawMessage(`{`), rec); !errors.Is(err, connector.ErrPermanent) {
		t.Errorf("bad state json: %v", err)
	}
	if err := c.Check(ctx, conn("http://127.0.0.1:1", "pk_test_1")); !errors.Is(err, connector.ErrInvalidConfig) {
		t.Errorf("publishable key: %v", err)
	}
	if len(rec.records) != 0 {
		t.Errorf("no records expected, got %d", len(rec.records))
	}
}
