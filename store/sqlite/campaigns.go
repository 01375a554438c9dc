package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const (
	campaignCols = `org_id, id, platform, channel, name`
	metricCols   = `org_id, campaign_id, day, spend_minor, impressions, clicks, conversions, revenue_minor, currency`
)

// UpsertCampaigns writes cs under orgID in one transaction.
func (db *DB) UpsertCampaigns(ctx context.Context, orgID string, cs []omnify.Campaign) error {
	for i, c := range cs {
		if c.ID == "" {
			return fmt.Errorf("upsert campaigns: %w", omnify.Invalid(fmt.Sprintf("campaigns[%d].id", i), "required"))
		}
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO campaigns (`+campaignCols+`) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (org_id, id) DO UPDATE SET platform = excluded.platform, channel = excluded.channel,
			name = excluded.name`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, c := range cs {
			if _, err := stmt.ExecContext(ctx, orgID, c.ID, c.Platform, c.Channel, c.Name); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("upsert campaigns", err)
}

// UpsertCampaignMetrics writes ms under orgID in one transaction. A metric
// of a campaign the org does not have is ErrNotFound and nothing is
// written.
func (db *DB) UpsertCampaignMetrics(ctx context.Context, orgID string, ms []omnify.CampaignMetric) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO campaign_metrics (`+metricCols+`) VALUES (`+placeholders(9)+`)
			ON CONFLICT (org_id, campaign_id, day) DO UPDATE SET spend_minor = excluded.spend_minor,
			impressions = excluded.impressions, clicks = excluded.clicks, conversions = excluded.conversions,
			revenue_minor = excluded.revenue_minor, currency = excluded.currency`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, m := range ms {
			if _, err := stmt.ExecContext(ctx, orgID, m.CampaignID, micro(m.Day), m.SpendMinor, m.Impressions,
				m.Clicks, m.Conversions, m.RevenueMinor, m.Currency); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("upsert campaign metrics", err)
}

// ListCampaigns lists an org's campaigns by ID.
func (db *DB) ListCampaigns(ctx context.Context, orgID string, p store.Page) ([]omnify.Campaign, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list campaigns: %w", err)
	}
	var w conds
	w.add("org_id = ?", orgID)
	if after {
		w.add("id > ?", c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+campaignCols+` FROM campaigns`+w.where()+
		` ORDER BY id LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list campaigns", err)
	}
	cs, next, err := collect(rows, p.Limit, scanCampaign, func(c omnify.Campaign) cursor { return cursor{S: c.ID} })
	return cs, next, wrap("list campaigns", err)
}

func scanCampaign(row scanner) (omnify.Campaign, error) {
	var c omnify.Campaign
	err := row.Scan(&c.OrgID, &c.ID, &c.Platform, &c.Channel, &c.Name)
	return c, err
}

// ListCampaignMetrics lists an org's metrics by day, then campaign ID.
func (db *DB) ListCampaignMetrics(ctx context.Context, orgID string, f store.MetricFilter) ([]omnify.CampaignMetric, error) {
	var w conds
	w.add("org_id = ?", orgID)
	if f.CampaignID != "" {
		w.add("campaign_id = ?", f.CampaignID)
	}
	if !f.Since.IsZero() {
		w.add("day >= ?", micro(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("day < ?", micro(f.Until))
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+metricCols+` FROM campaign_metrics`+w.where()+
		` ORDER BY day, campaign_id`, w.args...)
	if err != nil {
		return nil, wrap("list campaign metrics", err)
	}
	ms, _, err := collect(rows, -1, scanMetric, nil)
	return ms, wrap("list campaign metrics", err)
}

func scanMetric(row scanner) (omnify.CampaignMetric, error) {
	var m omnify.CampaignMetric
	var day int64
	err := row.Scan(&m.OrgID, &m.CampaignID, &day, &m.SpendMinor, &m.Impressions, &m.Clicks, &m.Conversions,
		&m.RevenueMinor, &m.Currency)
	m.Day = fromMicro(day)
	return m, err
}
