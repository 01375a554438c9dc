package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/identity"
	"github.com/omnify-cloud/omnify/importer"
	"github.com/omnify-cloud/omnify/omnifytest"
)

// withGraph wires the customer graph and imports the way the binary does.
func withGraph() omnifytest.Option {
	return omnifytest.WithDeps(func(d *api.Deps) {
		sink := identity.NewSink(d.Store, identity.Options{})
		d.Customers = sink
		d.Imports = importer.New(sink, importer.Options{})
	})
}

type customerList struct {
	Items []api.CustomerItem `json:"items"`
	Next  string             `json:"next"`
}

// listAll walks every page of a customer listing.
func listCustomers(t *testing.T, srv *omnifytest.Server, token, query string) []api.CustomerItem {
	t.Helper()
	var all []api.CustomerItem
	after := ""
	for range 100 {
		var page customerList
		path := "/v1/customers?limit=1000&" + query
		if after != "" {
			path += "&after=" + after
		}
		if st := srv.DoJSON(t, "GET", path, token, nil, &page); st != http.StatusOK {
			t.Fatalf("GET %s: %d", path, st)
		}
		all = append(all, page.Items...)
		if after = page.Next; after == "" {
			return all
		}
	}
	t.Fatal("customer pages do not end")
	return nil
}

// seedGraph stores, through the sink, a person known to Shopify and Stripe
// by the same email, and a second Shopify customer.
func seedGraph(t *testing.T, srv *omnifytest.Server, orgID string) {
	t.Helper()
	sink := identity.NewSink(srv.Store, identity.Options{})
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cust := func(ext, email, consent string) connector.Record {
		return connector.Record{Stream: "customers", ExternalID: ext, UpdatedAt: at,
			Customer: &connector.Customer{Email: email, FirstName: "Ana", LastName: ext, Consent: consent}}
	}
	var orders []connector.Record
	for i := range 60 {
		orders = append(orders, connector.Record{Stream: "orders", ExternalID: fmt.Sprintf("o%02d", i), Order: &connector.Order{
			CustomerExternalID: "s1", PlacedAt: at.Add(time.Duration(i) * time.Hour), Currency: "USD", TotalMinor: 1000,
			RefundedMinor: 250, DiscountMinor: 100, Status: "partially_refunded",
			Lines: []connector.LineItem{{SKU: "TEA-G", Title: "Green Tea", Quantity: 2, PriceMinor: 550}}}})
	}
	noErr(t, sink.Store(t.Context(), orgID, "c1", "shopify", append([]connector.Record{
		cust("s1", "ana@example.com", "granted"), cust("s2", "bo@example.com", "denied")}, orders...)))
	noErr(t, sink.Store(t.Context(), orgID, "c2", "stripe", []connector.Record{cust("cus_1", "ANA@example.com ", "")}))
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCustomerDetailAndSplit(t *testing.T) {
	f := newFixture(t, withGraph())
	owner := f.owner()
	seedGraph(t, f.srv, owner.OrgID)
	ana := listCustomers(t, f.srv, f.team[omnify.RoleViewer].Token, "email=Ana@Example.com")
	if len(ana) != 1 || ana[0].Consent != "granted" || strings.Join(ana[0].Platforms, ",") != "shopify,stripe" {
		t.Fatalf("ana = %+v", ana)
	}
	var d api.CustomerDetail
	if st := f.srv.DoJSON(t, "GET", "/v1/customers/"+ana[0].ID, f.team[omnify.RoleViewer].Token, nil, &d); st != http.StatusOK {
		t.Fatalf("get customer: %d", st)
	}
	if len(d.Identities) != 2 || len(d.Links) != 1 || d.Links[0].Reason != "same_email" || d.Eyes != nil {
		t.Fatalf("detail = %+v", d)
	}
	if len(d.Orders) != 50 || d.Orders[0].ExternalID != "o59" || d.Orders[0].AmountMinor != 750 {
		t.Fatalf("%d orders, first %+v; want the latest 50, newest first, net of refunds", len(d.Orders), d.Orders[0])
	}
	if o := d.Orders[49]; o.ExternalID != "o10" || o.TotalMinor != 1000 || o.RefundedMinor != 250 || o.DiscountMinor != 100 ||
		o.Status != "partially_refunded" || len(o.Lines) != 1 || o.Lines[0].SKU != "TEA-G" || o.Lines[0].PriceMinor != 550 {
		t.Errorf("order details = %+v", o)
	}
	stripeID := ""
	for _, id := range d.Identities {
		if id.Platform == "stripe" {
			stripeID = id.ID
			if id.Consent != "unknown" {
				t.Errorf("stripe consent %s, want unknown", id.Consent)
			}
		}
	}
	body := map[string]any{"identity_ids": []string{stripeID}}
	path := "/v1/customers/" + ana[0].ID + "/split"
	if st := f.srv.DoJSON(t, "POST", path, f.team[omnify.RoleAnalyst].Token, body, nil); st != http.StatusForbidden {
		t.Fatalf("analyst split: %d, want 403", st)
	}
	var split struct{ Kept, New api.CustomerItem }
	if st := f.srv.DoJSON(t, "POST", path, f.team[omnify.RoleAdmin].Token, body, &split); st != http.StatusOK {
		t.Fatalf("admin split: %d", st)
	}
	if split.Kept.ID != ana[0].ID || strings.Join(split.New.Platforms, ",") != "stripe" || split.New.Email != "ana@example.com" {
		t.Errorf("split = %+v", split)
	}
	if n := len(listCustomers(t, f.srv, owner.Token, "")); n != 3 {
		t.Errorf("%d customers after the split, want 3", n)
	}
	if n := len(listCustomers(t, f.srv, owner.Token, "platform=stripe")); n != 1 {
		t.Errorf("%d stripe customers, want 1", n)
	}
	bad := map[string]any{"identity_ids": []string{"not-an-identity"}}
	if st := f.srv.DoJSON(t, "POST", path, owner.Token, bad, nil); st != http.StatusUnprocessableEntity {
		t.Errorf("split with a foreign identity: %d, want 422", st)
	}
}

func TestCustomersOfAnotherOrg(t *testing.T) {
	f := newFixture(t, withGraph())
	seedGraph(t, f.srv, f.owner().OrgID)
	mine := listCustomers(t, f.srv, f.owner().Token, "")
	if len(mine) != 2 {
		t.Fatalf("%d customers, want 2", len(mine))
	}
	if got := listCustomers(t, f.srv, f.other.Token, ""); len(got) != 0 {
		t.Errorf("org B lists %d of org A's customers", len(got))
	}
	for _, c := range mine {
		if st := f.srv.DoJSON(t, "GET", "/v1/customers/"+c.ID, f.other.Token, nil, nil); st != http.StatusNotFound {
			t.Errorf("org B GET org A's customer: %d, want 404", st)
		}
		body := map[string]any{"identity_ids": []string{"x"}}
		if st := f.srv.DoJSON(t, "POST", "/v1/customers/"+c.ID+"/split", f.other.Token, body, nil); st != http.StatusNotFound {
			t.Errorf("org B split org A's customer: %d, want 404", st)
		}
	}
}

func TestCustomersBySegment(t *testing.T) {
	f := newFixture(t, withGraph())
	org := f.owner().OrgID
	seedGraph(t, f.srv, org)
	if got := listCustomers(t, f.srv, f.owner().Token, "segment=seg-1"); len(got) != 0 {
		t.Fatalf("segment filter without an EYES run: %d customers", len(got))
	}
	cs := listCustomers(t, f.srv, f.owner().Token, "")
	ctx := t.Context()
	run := &omnify.EyesRun{ID: "run-1", OrgID: org, Status: omnify.JobRunning, AsOf: time.Now(), CreatedAt: time.Now()}
	noErr(t, f.srv.Store.CreateEyesRun(ctx, run))
	noErr(t, f.srv.Store.PutEyesScores(ctx, org, run.ID, []omnify.EyesScore{
		{CustomerID: cs[0].ID, SegmentID: "seg-1", SegmentName: "Loyal", Churn30: 0.1, Churn60: 0.2, Churn90: 0.3, PAlive: 0.9, Reasons: []string{"recent"}},
		{CustomerID: cs[1].ID, SegmentID: "seg-2", SegmentName: "At risk"},
	}))
	done := time.Now()
	run.Status, run.FinishedAt = omnify.JobSucceeded, &done
	noErr(t, f.srv.Store.UpdateEyesRun(ctx, run))
	got := listCustomers(t, f.srv, f.team[omnify.RoleViewer].Token, "segment=seg-1")
	if len(got) != 1 || got[0].ID != cs[0].ID {
		t.Fatalf("segment seg-1 = %+v", got)
	}
	var d api.CustomerDetail
	f.srv.DoJSON(t, "GET", "/v1/customers/"+cs[0].ID, f.owner().Token, nil, &d)
	if d.Eyes == nil || d.Eyes.SegmentID != "seg-1" || d.Eyes.Churn90 != 0.3 || d.Eyes.PAlive != 0.9 || len(d.Eyes.Reasons) != 1 {
		t.Errorf("eyes scores in the detail = %+v", d.Eyes)
	}
}

// upload posts content as the file part of a multipart form.
func uploadCSV(t *testing.T, srv *omnifytest.Server, token, name string, content []byte) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile("file", name)
	noErr(t, err)
	_, err = part.Write(content)
	noErr(t, err)
	noErr(t, w.Close())
	req, err := http.NewRequest("POST", srv.URL+"/v1/imports", &b)
	noErr(t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client.Do(req)
	noErr(t, err)
	return resp, readAll(t, resp)
}

// cdnowSample is the CDNOW sample in the shared data folder beside the
// repository root.
func cdnowBytes(t *testing.T) []byte {
	t.Helper()
	dir, err := os.Getwd()
	noErr(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Skip("no go.mod above the test")
		}
		dir = filepath.Dir(dir)
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(dir), "shared", "data", "cdnow", "cdnow_sample_transactions.csv"))
	if err != nil {
		t.Skipf("CDNOW sample: %v", err)
	}
	return b
}

func TestCustomersByAnyEmail(t *testing.T) {
	f := newFixture(t, withGraph())
	org := f.owner().OrgID
	sink := identity.NewSink(f.srv.Store, identity.Options{})
	noErr(t, sink.Store(t.Context(), org, "c", "shopify", []connector.Record{
		{Stream: "customers", ExternalID: "s1", Customer: &connector.Customer{Email: "work@example.com", Phone: "+14155550123"}},
	}))
	noErr(t, sink.Store(t.Context(), org, "c", "stripe", []connector.Record{
		{Stream: "customers", ExternalID: "cus_1", UpdatedAt: time.Now(), Customer: &connector.Customer{Email: "home@example.com", Phone: "(415) 555-0123"}},
	}))
	for _, q := range []string{"email=work@example.com", "email=HOME@example.com", "email=home@example.com&platform=shopify"} {
		if got := listCustomers(t, f.srv, f.owner().Token, q); len(got) != 1 {
			t.Errorf("%s: %d customers, want the one person", q, len(got))
		}
	}
	if got := listCustomers(t, f.srv, f.owner().Token, "email=home@example.com&platform=klaviyo"); len(got) != 0 {
		t.Errorf("platform filter ignored: %+v", got)
	}
}
