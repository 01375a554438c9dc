package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

var campaignTests = []suiteTest{
	{"Campaign/UpsertList", testCampaignUpsertList},
	{"Campaign/Metrics", testCampaignMetrics},
	{"Campaign/MetricsNeedCampaign", testMetricsNeedCampaign},
}

func makeCampaigns(org string, n int) []omnify.Campaign {
	out := make([]omnify.Campaign, n)
	channels := []string{"email", "paid_social", "search"}
	for i := range out {
		out[i] = omnify.Campaign{
			ID: fmt.Sprintf("camp-%02d", i), OrgID: org, Platform: "klaviyo",
			Channel: channels[i%len(channels)], Name: fmt.Sprintf("Spring sale %d", i),
		}
	}
	return out
}

func campaignID(c omnify.Campaign) string { return c.ID }

func testCampaignUpsertList(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	want := makeCampaigns("org-1", 8)
	must(t, s.UpsertCampaigns(ctx, "org-1", want), "upsert campaigns")
	want[3].Name, want[3].Channel = "Renamed", "search"
	must(t, s.UpsertCampaigns(ctx, "org-1", want), "upsert campaigns again")

	got, pages := walk(t, 3, func(p store.Page) ([]omnify.Campaign, string, error) {
		return s.ListCampaigns(ctx, "org-1", p)
	})
	wantPages(t, pages, 3)
	wantSameSet(t, ids(got, campaignID), ids(want, campaignID), "campaigns")
	slices.SortFunc(got, func(a, b omnify.Campaign) int { return cmpString(a.ID, b.ID) })
	assertEqual(t, got, want, "campaigns")
	_, _, err := s.ListCampaigns(ctx, "org-1", store.Page{After: badCursor})
	wantErr(t, err, omnify.ErrInvalid, "bad cursor")
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// day returns UTC midnight d days after 2026-03-01.
func day(d int) time.Time { return time.Date(2026, 3, 1+d, 0, 0, 0, 0, time.UTC) }

func makeMetrics(org string, campaigns []omnify.Campaign, days int) []omnify.CampaignMetric {
	var out []omnify.CampaignMetric
	for d := range days {
		for i, c := range campaigns {
			out = append(out, omnify.CampaignMetric{
				OrgID: org, CampaignID: c.ID, Day: day(d),
				SpendMinor: int64(1000*d + i), Impressions: int64(10000 + d), Clicks: int64(100 + i),
				Conversions: int64(d % 3), RevenueMinor: int64(5000 * d), Currency: "EUR",
			})
		}
	}
	return out
}

func testCampaignMetrics(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	cs := makeCampaigns("org-1", 3)
	must(t, s.UpsertCampaigns(ctx, "org-1", cs), "upsert campaigns")
	ms := makeMetrics("org-1", cs, 5)
	must(t, s.UpsertCampaignMetrics(ctx, "org-1", ms), "upsert metrics")
	ms[4].Clicks, ms[4].SpendMinor = 999, 12345
	must(t, s.UpsertCampaignMetrics(ctx, "org-1", ms[4:5]), "update one metric")

	got, err := s.ListCampaignMetrics(ctx, "org-1", store.MetricFilter{})
	must(t, err, "list metrics")
	assertEqual(t, got, ms, "metrics ordered by day then campaign")

	got, err = s.ListCampaignMetrics(ctx, "org-1", store.MetricFilter{CampaignID: cs[1].ID, Since: day(1), Until: day(3)})
	must(t, err, "list filtered metrics")
	want := []omnify.CampaignMetric{ms[1*3+1], ms[2*3+1]}
	assertEqual(t, got, want, "metrics of one campaign, days 1 and 2")
}

func testMetricsNeedCampaign(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustOrg(t, s, "org-1")
	ms := makeMetrics("org-1", makeCampaigns("org-1", 1), 1)
	wantErr(t, s.UpsertCampaignMetrics(ctx, "org-1", ms), omnify.ErrNotFound, "metrics of unknown campaign")
	got, err := s.ListCampaignMetrics(ctx, "org-1", store.MetricFilter{})
	must(t, err, "list metrics")
	if len(got) != 0 {
		t.Fatalf("rejected metrics stored: %d", len(got))
	}
}
