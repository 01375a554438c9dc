package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
)

// storeCampaigns writes campaigns and their daily metrics: one model for
// every ads, email and attribution platform, so channels compare across
// platforms. Deleted campaigns keep their history: reports of past spend
// stay true.
func (g *Sink) storeCampaigns(ctx context.Context, orgID, platform string, recs []connector.Record) error {
	var cs []omnify.Campaign
	byCampaign := map[string][]omnify.CampaignMetric{}
	var order []string
	for _, r := range recs {
		switch {
		case r.Deleted:
		case r.Campaign != nil:
			c := r.Campaign
			cs = append(cs, omnify.Campaign{ID: CampaignID(orgID, platform, r.ExternalID), OrgID: orgID,
				Platform: platform, Channel: c.Channel, Name: strings.TrimSpace(c.Name)})
		case r.CampaignMetric != nil:
			m := r.CampaignMetric
			if m.CampaignExternalID == "" {
				return omnify.Invalid("campaign_external_id", "metric %s names no campaign", r.ExternalID)
			}
			if _, ok := byCampaign[m.CampaignExternalID]; !ok {
				order = append(order, m.CampaignExternalID)
			}
			byCampaign[m.CampaignExternalID] = append(byCampaign[m.CampaignExternalID], metricOf(orgID, platform, m))
		}
	}
	if len(cs) > 0 {
		if err := g.store.UpsertCampaigns(ctx, orgID, cs); err != nil {
			return err
		}
	}
	for _, ext := range order {
		if err := g.storeMetrics(ctx, orgID, platform, ext, byCampaign[ext]); err != nil {
			return err
		}
	}
	return nil
}

// storeMetrics writes one campaign's metrics. Metrics may arrive before
// their campaign (a platform's analytics stream synced first): the campaign
// is then created under its external ID, and named when it arrives.
func (g *Sink) storeMetrics(ctx context.Context, orgID, platform, ext string, ms []omnify.CampaignMetric) error {
	err := g.store.UpsertCampaignMetrics(ctx, orgID, ms)
	if !errors.Is(err, omnify.ErrNotFound) {
		return err
	}
	placeholder := omnify.Campaign{ID: CampaignID(orgID, platform, ext), OrgID: orgID, Platform: platform, Name: ext}
	if err := g.store.UpsertCampaigns(ctx, orgID, []omnify.Campaign{placeholder}); err != nil {
		return fmt.Errorf("campaign %s of metrics: %w", ext, err)
	}
	return g.store.UpsertCampaignMetrics(ctx, orgID, ms)
}

func metricOf(orgID, platform string, m *connector.CampaignMetric) omnify.CampaignMetric {
	d := m.Day.UTC()
	return omnify.CampaignMetric{OrgID: orgID, CampaignID: CampaignID(orgID, platform, m.CampaignExternalID),
		Day: d.Truncate(24 * time.Hour), SpendMinor: m.SpendMinor, Impressions: m.Impressions, Clicks: m.Clicks,
		Conversions: m.Conversions, RevenueMinor: m.RevenueMinor, Currency: strings.ToUpper(m.Currency)}
}
