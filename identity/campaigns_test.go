package identity_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/store"
)

func metric(campaign string, day time.Time, spend, revenue int64) connector.Record {
	return connector.Record{Stream: "ad_analytics", ExternalID: connector.MetricExternalID(campaign, day), UpdatedAt: t0,
		CampaignMetric: &connector.CampaignMetric{CampaignExternalID: campaign, Day: day.Add(5 * time.Hour),
			Currency: "usd", SpendMinor: spend, Impressions: 1000, Clicks: 30, Conversions: 2, RevenueMinor: revenue}}
}

func TestSinkStoresCampaignsAndMetrics(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	d1, d2 := t0.Truncate(24*time.Hour), t0.Truncate(24*time.Hour).AddDate(0, 0, 1)
	// Metrics first: the analytics stream may sync before the campaigns one.
	must(t, s.Store(ctx, "org-a", "c", "linkedin_ads", []connector.Record{metric("c1", d1, 1200, 5000)}), "metrics first")
	must(t, s.Store(ctx, "org-a", "c", "linkedin_ads", []connector.Record{
		{Stream: "campaigns", ExternalID: "c1", UpdatedAt: t0, Campaign: &connector.Campaign{Name: " Spring sale ", Channel: "paid_social"}},
		metric("c1", d1, 1300, 5100), // a restated day replaces the first figure
		metric("c1", d2, 800, 0),
	}), "campaign and metrics")
	cs, _, err := db.ListCampaigns(ctx, "org-a", store.Page{})
	must(t, err, "list campaigns")
	if len(cs) != 1 || cs[0].Name != "Spring sale" || cs[0].Channel != "paid_social" || cs[0].Platform != "linkedin_ads" ||
		cs[0].ID != identity.CampaignID("org-a", "linkedin_ads", "c1") {
		t.Fatalf("campaigns = %+v", cs)
	}
	ms, err := db.ListCampaignMetrics(ctx, "org-a", store.MetricFilter{})
	must(t, err, "list metrics")
	if len(ms) != 2 || !ms[0].Day.Equal(d1) || ms[0].SpendMinor != 1300 || ms[0].RevenueMinor != 5100 ||
		ms[0].Currency != "USD" || !ms[1].Day.Equal(d2) || ms[1].SpendMinor != 800 {
		t.Fatalf("metrics = %+v", ms)
	}
	// Storing the same batch again changes nothing; the name is kept when
	// metrics of a known campaign arrive.
	must(t, s.Store(ctx, "org-a", "c", "linkedin_ads", []connector.Record{metric("c1", d2, 800, 0)}), "again")
	cs2, _, _ := db.ListCampaigns(ctx, "org-a", store.Page{})
	if len(cs2) != 1 || cs2[0].Name != "Spring sale" {
		t.Errorf("campaigns after repeat = %+v", cs2)
	}
	if other, _, _ := db.ListCampaigns(ctx, "org-b", store.Page{}); len(other) != 0 {
		t.Errorf("org-b sees %d campaigns", len(other))
	}
}

func TestSinkRefusesMetricWithoutCampaign(t *testing.T) {
	db := mustStore(t)
	r := metric("", t0, 1, 1)
	r.ExternalID = "x"
	if err := newSink(db).Store(t.Context(), "org-a", "c", "triplewhale", []connector.Record{r}); err == nil {
		t.Fatal("a metric naming no campaign was stored")
	}
}

func TestSinkKeepsEventsWithTheirPersonAndObjects(t *testing.T) {
	db := mustStore(t)
	s := newSink(db)
	ctx := t.Context()
	must(t, s.Store(ctx, "org-a", "k", "klaviyo", []connector.Record{
		cust("p1", "ana@example.com", "", "granted"),
		{Stream: "events", ExternalID: "e1", UpdatedAt: t0, Event: &connector.Event{CustomerExternalID: "p1",
			Kind: connector.EventEmailOpened, OccurredAt: t0, CampaignExternalID: "cmp1"}},
		{Stream: "events", ExternalID: "e2", UpdatedAt: t0, Event: &connector.Event{Email: "New@Example.com",
			Kind: connector.EventEmailClicked, OccurredAt: t0}},
		{Stream: "lists", ExternalID: "l1", UpdatedAt: t0, Object: &connector.Object{Kind: "list", Name: "VIP",
			Attributes: json.RawMessage(`{"opt_in_process":"double_opt_in"}`)}},
	}), "store")
	ana := identityOf(t, db, "org-a", "klaviyo", "p1")
	evs, _, err := db.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{CustomerID: ana.CustomerID, Stream: "events"}, store.Page{})
	must(t, err, "events of ana")
	if len(evs) != 1 || evs[0].ExternalID != "e1" {
		t.Fatalf("ana's events = %+v", evs)
	}
	var ev connector.Event
	must(t, json.Unmarshal(evs[0].Data, &ev), "event payload")
	if ev.Kind != connector.EventEmailOpened || ev.CampaignExternalID != "cmp1" {
		t.Errorf("event payload = %+v", ev)
	}
	// An event of an email not seen yet creates that person.
	guest := identityOf(t, db, "org-a", "klaviyo", "email:new@example.com")
	if guest.CustomerID == "" || guest.CustomerID == ana.CustomerID {
		t.Errorf("guest identity = %+v", guest)
	}
	lists, _, err := db.ListSourceRecords(ctx, "org-a", store.SourceRecordFilter{Stream: "lists"}, store.Page{})
	must(t, err, "lists")
	if len(lists) != 1 || lists[0].CustomerID != "" {
		t.Fatalf("lists = %+v", lists)
	}
	var obj struct {
		Kind, Name string
		Attributes map[string]string
	}
	must(t, json.Unmarshal(lists[0].Data, &obj), "object payload")
	if obj.Kind != "list" || obj.Name != "VIP" || obj.Attributes["opt_in_process"] != "double_opt_in" {
		t.Errorf("object payload = %+v", obj)
	}
}
