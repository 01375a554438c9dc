package shopify_test

import (
	"github.com/omnify-cloud/omnify/connector/connectortest"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/shopify"
)

func verified(t *testing.T, topic, file, shop string) shopify.Webhook {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	h := signedHeader(body, secret)
	h.Set("X-Shopify-Topic", topic)
	h.Set("X-Shopify-Shop-Domain", shop)
	w, err := shopify.VerifyWebhook(http.Header(h), body, secret)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWebhookRecords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ topic, file, golden string }{
		{"orders/create", "webhook_orders_create.json", "webhook_orders_create_record.json"},
		{"orders/updated", "webhook_orders_create.json", "webhook_orders_create_record.json"},
		{"customers/update", "webhook_customers_update.json", "webhook_customers_update_record.json"},
	} {
		rec, err := verified(t, tc.topic, tc.file, "acme.myshopify.com").Record()
		if err != nil {
			t.Fatalf("%s: %v", tc.topic, err)
		}
		connectortest.Golden(t, tc.golden, recordsJSON(t, []connector.Record{rec}))
	}
	if _, err := verified(t, "app/uninstalled", "webhook_customers_update.json", "acme.myshopify.com").Record(); err == nil {
		t.Fatal("app/uninstalled mapped to a record")
	}
}

func TestPrivacyRequest(t *testing.T) {
	t.Parallel()
	p, err := verified(t, "customers/redact", "webhook_customers_redact.json", "acme.myshopify.com").PrivacyRequest()
	if err != nil {
		t.Fatal(err)
	}
	if p.CustomerID != "191167" || p.Email != "john@example.com" || len(p.OrderIDs) != 3 || p.OrderIDs[0] != "299938" {
		t.Fatalf("redact request %+v", p)
	}
	// The payload must name the shop that signed it.
	if _, err := verified(t, "customers/redact", "webhook_customers_redact.json", "other.myshopify.com").PrivacyRequest(); err == nil {
		t.Fatal("payload of another shop accepted")
	}
	if _, err := verified(t, "orders/create", "webhook_orders_create.json", "acme.myshopify.com").PrivacyRequest(); err == nil {
		t.Fatal("orders/create read as a privacy request")
	}
}
