package gohighlevel_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
)

// Object and campaign streams: every record once with the right payload
// kind, and a final checkpoint that starts the next full read over.
func TestObjectStreams(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 20, Opportunities: 345, Campaigns: 6, Workflows: 4, Seed: 5})
	for _, tc := range []struct {
		stream string
		kind   string
	}{
		{gohighlevel.StreamOpportunities, "opportunity"},
		{gohighlevel.StreamCampaigns, "campaign"},
		{gohighlevel.StreamWorkflows, "workflow"},
	} {
		t.Run(tc.stream, func(t *testing.T) {
			var rec collector
			if err := gohighlevel.New().Read(t.Context(), srv.Connection(), tc.stream, nil, &rec); err != nil {
				t.Fatal(err)
			}
			got := rec.ids(t)
			if len(got) != srv.Len(tc.stream) || rec.total != int64(srv.Len(tc.stream)) {
				t.Fatalf("%d records (total %d), the vendor has %d", len(got), rec.total, srv.Len(tc.stream))
			}
			for id, r := range got {
				switch {
				case r.Stream != tc.stream:
					t.Errorf("%s in stream %q", id, r.Stream)
				case tc.kind == "campaign" && (r.Campaign == nil || r.Campaign.Name == "" || r.Object != nil):
					t.Errorf("campaign %s: %+v", id, r)
				case tc.kind != "campaign" && (r.Object == nil || r.Object.Kind != tc.kind || !json.Valid(r.Object.Attributes)):
					t.Errorf("%s %s: %+v", tc.kind, id, r.Object)
				}
			}
			if string(rec.last()) != "{}" {
				t.Errorf("a finished full read should checkpoint the empty state, got %s", rec.last())
			}
		})
	}
}

// An opportunities read resumed from its second checkpoint emits exactly
// the records after it.
func TestOpportunitiesResume(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Opportunities: 345, Seed: 6})
	var all collector
	if err := gohighlevel.New().Read(t.Context(), srv.Connection(), gohighlevel.StreamOpportunities, nil, &all); err != nil {
		t.Fatal(err)
	}
	if len(all.checkpoints) != 4 {
		t.Fatalf("%d checkpoints for 345 opportunities in pages of 100", len(all.checkpoints))
	}
	var rest collector
	if err := gohighlevel.New().Read(t.Context(), srv.Connection(), gohighlevel.StreamOpportunities, all.checkpoints[1], &rest); err != nil {
		t.Fatal(err)
	}
	if len(rest.records) != 145 || rest.records[0].ExternalID != all.records[200].ExternalID {
		t.Fatalf("resumed read emitted %d records starting at %s", len(rest.records), rest.records[0].ExternalID)
	}
}

// Contacts come in dateUpdated order with searchAfter positions; a read
// from the last state emits only contacts changed since.
func TestContactsIncremental(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 250, Seed: 7})
	var full collector
	if err := gohighlevel.New().Read(t.Context(), srv.Connection(), gohighlevel.StreamContacts, nil, &full); err != nil {
		t.Fatal(err)
	}
	if len(full.ids(t)) != 250 || full.total != 250 || len(full.checkpoints) != 3 {
		t.Fatalf("%d contacts, total %d, %d checkpoints", len(full.records), full.total, len(full.checkpoints))
	}
	for i := 1; i < len(full.records); i++ {
		if full.records[i].UpdatedAt.Before(full.records[i-1].UpdatedAt) {
			t.Fatalf("contact %d is older than the one before", i)
		}
	}
	var none collector
	if err := gohighlevel.New().Read(t.Context(), srv.Connection(), gohighlevel.StreamContacts, full.last(), &none); err != nil {
		t.Fatal(err)
	}
	if len(none.records) != 0 {
		t.Errorf("nothing changed, yet %d contacts came again", len(none.records))
	}
	srv.Mutate(4, 2)
	var inc collector
	if err := gohighlevel.New().Read(t.Context(), srv.Connection(), gohighlevel.StreamContacts, full.last(), &inc); err != nil {
		t.Fatal(err)
	}
	if len(inc.ids(t)) != 6 {
		t.Errorf("incremental read emitted %d contacts, want the 4 changed and 2 new", len(inc.records))
	}
}

func TestConsent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, want string
	}{
		{"dnd on every channel", `{"id":"a","dnd":true}`, "denied"},
		{"email dnd active", `{"id":"a","dndSettings":{"Email":{"status":"active"}}}`, "denied"},
		{"email dnd permanent", `{"id":"a","dndSettings":{"Email":{"status":"permanent"}}}`, "denied"},
		{"email dnd inactive", `{"id":"a","dndSettings":{"Email":{"status":"inactive"}}}`, "unknown"},
		{"sms dnd only", `{"id":"a","dndSettings":{"SMS":{"status":"active"}}}`, "unknown"},
		{"no flags", `{"id":"a","dnd":false}`, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := gohighlevel.ContactRecord(json.RawMessage(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if r.Customer.Consent != tc.want {
				t.Errorf("consent %q, want %q", r.Customer.Consent, tc.want)
			}
		})
	}
}

// HighLevel's answers map to the protocol's errors.
func TestVendorErrors(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Contacts: 10, Seed: 8, Burst: 3, Daily: 5, Now: clk.Now})
	c := gohighlevel.New()
	c.Now = clk.Now
	conn := srv.Connection()
	read := func() error {
		return c.Read(t.Context(), conn, gohighlevel.StreamWorkflows, nil, &collector{})
	}
	other := srv.Connection()
	other.Credentials["location_id"] = "another_location"
	if err := c.Check(t.Context(), other); !errors.Is(err, connector.ErrAuth) {
		t.Errorf("foreign location: %v", err)
	}
	for range 2 {
		if err := read(); err != nil {
			t.Fatal(err)
		}
	}
	var bo *connector.BackOffError
	if err := read(); !errors.As(err, &bo) || bo.Wait != 10*time.Second {
		t.Fatalf("over the burst: %v, want a back-off of the 10 s interval", err)
	}
	clk.Advance(10 * time.Second)
	for range 2 {
		if err := read(); err != nil {
			t.Fatal(err)
		}
	}
	if err := read(); !errors.As(err, &bo) || bo.Wait != 12*time.Hour-10*time.Second {
		t.Fatalf("over the daily limit: %v, want a back-off until midnight UTC", err)
	}
}

func TestMissingVersionHeaderIsRefused(t *testing.T) {
	t.Parallel()
	srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Seed: 9})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/workflows/?locationId="+srv.Options().LocationID, nil)
	req.Header.Set("Authorization", "Bearer "+srv.Options().Token)
	resp, err := srv.Connection().HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("no Version header: %d, want 400", resp.StatusCode)
	}
}
