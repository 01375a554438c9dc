package linkedin_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector/connectortest"
	"github.com/omnify-cloud/omnify/connector/linkedin"
)

func readFixture(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// LinkedIn payloads, written from LinkedIn's documented shapes, map to the
// records in the golden files: objects keep the element as sent, creatives
// gain their ad copy (inline or from the post, empty when the post is
// gone), campaigns are paid social, and analytics rows are priced in their
// account's currency with rows of unknown campaigns left out.
func TestGoldenMapping(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	currency := map[string]string{"712840331": "EUR", "712840999": "JPY"}
	posts := readFixture(t, "posts.json")
	for _, stream := range []string{linkedin.StreamAdAccounts, linkedin.StreamCampaignGroups, linkedin.StreamCampaigns,
		linkedin.StreamCreatives, linkedin.StreamAudiences, linkedin.StreamAdAnalytics} {
		t.Run(stream, func(t *testing.T) {
			recs, err := linkedin.MapPage(stream, readFixture(t, stream+".json"), posts, currency, now)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			enc := json.NewEncoder(&out)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(recs); err != nil {
				t.Fatal(err)
			}
			connectortest.Golden(t, stream+".golden.json", out.Bytes())
		})
	}
}
