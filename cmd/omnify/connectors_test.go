package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/secret"
)

func openTestApp(t *testing.T) *app {
	t.Helper()
	a, err := openApp(context.Background(), &Common{DataDir: t.TempDir()}, slog.New(slog.DiscardHandler), 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func TestSetupConnectors(t *testing.T) {
	a := openTestApp(t)
	deps := &api.Deps{Registry: prometheus.NewRegistry()}
	flags := &ConnectorFlags{StripeBaseURL: "http://127.0.0.1:12111"}
	c, err := setupConnectors(a, flags, deps)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{connector.GoHighLevel, connector.HubSpot, connector.Klaviyo, connector.LinkedInAds,
		connector.Shopify, connector.Stripe, connector.TripleWhale}
	if got := strings.Join(c.registry.Platforms(), ","); got != strings.Join(want, ",") {
		t.Fatalf("registered platforms %s", got)
	}
	for _, p := range want {
		if _, ok := vendorRates[p]; !ok {
			t.Errorf("%s connections have no request budget", p)
		}
	}
	if deps.Connectors != c.registry || deps.Syncer == nil {
		t.Fatal("the API did not get the catalog and the syncer")
	}
	info, err := os.Stat(filepath.Join(a.dir, "master.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("master key file: %v %v", info, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := c.runScheduler(ctx)
	cancel()
	wait()
}

func TestConnectorFlagsRefuseBadValues(t *testing.T) {
	key, _ := secret.NewKey()
	tests := []struct {
		name  string
		flags ConnectorFlags
		want  string
	}{
		{"short master key", ConnectorFlags{MasterKey: secret.EncodeKey(key[:16])}, "OMNIFY_MASTER_KEY"},
		{"master key not base64", ConnectorFlags{MasterKey: "not a key!"}, "OMNIFY_MASTER_KEY"},
		{"relative base URL", ConnectorFlags{ShopifyBaseURL: "/shopify"}, "shopify base URL"},
		{"file base URL", ConnectorFlags{StripeBaseURL: "file:///etc/passwd"}, "stripe base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := openTestApp(t)
			_, err := setupConnectors(a, &tt.flags, &api.Deps{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one naming %s", err, tt.want)
			}
		})
	}
	a := openTestApp(t)
	good := ConnectorFlags{MasterKey: secret.EncodeKey(key)}
	if _, err := setupConnectors(a, &good, &api.Deps{}); err != nil {
		t.Fatalf("a good master key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(a.dir, "master.key")); !os.IsNotExist(err) {
		t.Fatal("a key file was created although OMNIFY_MASTER_KEY was given")
	}
}
