package eyesrun_test

import (
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/eyes"
	"github.com/omnify-cloud/omnify/eyes/eyesrun"
	"github.com/omnify-cloud/omnify/identity"
)

// TestLoadCountsEngagement: opens and clicks a marketing platform reported
// and active subscriptions become each person's engagement, counted up to
// as-of and only for the org's own people.
func TestLoadCountsEngagement(t *testing.T) {
	db, _, _ := newService(t)
	ctx := t.Context()
	for _, org := range []string{"org-a", "org-b"} {
		if err := db.CreateOrg(ctx, &omnify.Org{ID: org, Name: org}); err != nil {
			t.Fatal(err)
		}
	}
	sink := identity.NewSink(db, identity.Options{})
	day := asOf.Add(-24 * time.Hour)
	cust := func(id, email string) connector.Record {
		return connector.Record{Stream: "customers", ExternalID: id, UpdatedAt: day,
			Customer: &connector.Customer{Email: email, Consent: "granted"}}
	}
	event := func(id, person, kind string, at time.Time) connector.Record {
		return connector.Record{Stream: "events", ExternalID: id, UpdatedAt: at,
			Event: &connector.Event{CustomerExternalID: person, Kind: kind, OccurredAt: at}}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(sink.Store(ctx, "org-a", "k", "klaviyo", []connector.Record{
		cust("p1", "ana@example.com"), cust("p2", "bo@example.com"), cust("p3", "cy@example.com"),
		event("e1", "p1", connector.EventEmailOpened, day),
		event("e2", "p1", connector.EventEmailOpened, day),
		event("e3", "p1", connector.EventEmailClicked, day),
		event("e4", "p1", connector.EventEmailOpened, asOf.Add(48*time.Hour)), // after as-of
		event("e5", "p2", connector.EventOrderPlaced, day),                    // not email engagement
	}))
	canceled := day
	must(sink.Store(ctx, "org-a", "s", "stripe", []connector.Record{
		cust("cus_1", "ana@example.com"), cust("cus_2", "cy@example.com"),
		{Stream: "subscriptions", ExternalID: "sub_1", UpdatedAt: day, Subscription: &connector.Subscription{
			CustomerExternalID: "cus_1", Status: "active", StartedAt: day.AddDate(0, -3, 0)}},
		{Stream: "subscriptions", ExternalID: "sub_2", UpdatedAt: day, Subscription: &connector.Subscription{
			CustomerExternalID: "cus_2", Status: "canceled", StartedAt: day.AddDate(0, -3, 0), CanceledAt: &canceled}},
	}))
	must(sink.Store(ctx, "org-b", "k", "klaviyo", []connector.Record{
		cust("p1", "ana@example.com"), event("e1", "p1", connector.EventEmailOpened, day)}))

	in, err := eyesrun.Load(ctx, db, "org-a", asOf)
	must(err)
	byEmail := map[string]*eyes.Engagement{}
	for _, c := range in.Customers {
		byEmail[c.Email] = c.Engagement
	}
	if len(in.Customers) != 3 {
		t.Fatalf("%d customers loaded, want 3", len(in.Customers))
	}
	if e := byEmail["ana@example.com"]; e == nil || *e != (eyes.Engagement{EmailOpens: 2, EmailClicks: 1, Subscriptions: 1}) {
		t.Errorf("ana's engagement = %+v, want 2 opens, 1 click, 1 subscription", e)
	}
	if e := byEmail["bo@example.com"]; e != nil && *e != (eyes.Engagement{}) {
		t.Errorf("bo's engagement = %+v, want none", e)
	}
	if e := byEmail["cy@example.com"]; e != nil && *e != (eyes.Engagement{}) {
		t.Errorf("cy's canceled subscription counted: %+v", e)
	}
}
