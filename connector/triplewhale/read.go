package triplewhale

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

const dayLayout = "2006-01-02"

// State is what a read checkpoints: the last day whose records were all
// emitted. The next read starts SettleDays-1 days before it, so the last
// SettleDays days are read again.
type State struct {
	Through string `json:"through,omitempty"`
}

// Read emits the daily metrics from the state's day (or the start date) to
// today, one day per request, checkpointing after each day.
func (c *Connector) Read(ctx context.Context, conn connector.Connection, stream string, state json.RawMessage, e connector.Emitter) error {
	if stream != StreamDailyMetrics {
		return fmt.Errorf("triplewhale read %q: %w", stream, connector.ErrUnknownStream)
	}
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	from, to, err := c.span(conn, state)
	if err != nil {
		return err
	}
	if !to.Before(from) {
		e.Total(int64(to.Sub(from).Hours()/24) + 1)
	}
	seen := map[string]bool{}
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := cl.readDay(ctx, day, seen, e); err != nil {
			return fmt.Errorf("triplewhale read %s: %w", day.Format(dayLayout), err)
		}
	}
	return nil
}

// span is the days to read: from the start date, or SettleDays-1 days
// before the saved day, through today (UTC).
func (c *Connector) span(conn connector.Connection, state json.RawMessage) (time.Time, time.Time, error) {
	today := c.now().UTC().Truncate(24 * time.Hour)
	from := today.Add(-DefaultHistory)
	if s := conn.Config["start_date"]; s != "" {
		t, err := time.Parse(dayLayout, s)
		if err != nil {
			return from, today, fmt.Errorf("triplewhale: %w: start_date %q is not YYYY-MM-DD", connector.ErrInvalidConfig, s)
		}
		from = t
	}
	var st State
	if len(state) > 0 && string(state) != "null" {
		if err := json.Unmarshal(state, &st); err != nil {
			return from, today, fmt.Errorf("triplewhale: saved state: %w", err)
		}
	}
	if st.Through != "" {
		t, err := time.Parse(dayLayout, st.Through)
		if err != nil {
			return from, today, fmt.Errorf("triplewhale: saved state day %q: %w", st.Through, err)
		}
		if resume := t.AddDate(0, 0, -(SettleDays - 1)); resume.After(from) {
			from = resume
		}
	}
	return from, today, nil
}

// summaryAnswer is the summary page's answer.
type summaryAnswer struct {
	Currency string   `json:"currency"`
	Metrics  []metric `json:"metrics"`
}

type metric struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Type     string   `json:"type"`
	Services []string `json:"services"`
	Values   struct {
		Current float64 `json:"current"`
	} `json:"values"`
}

// readDay fetches one day, emits its records and checkpoints.
func (cl *client) readDay(ctx context.Context, day time.Time, seen map[string]bool, e connector.Emitter) error {
	d := day.Format(dayLayout)
	body := map[string]any{"shopDomain": cl.shop, "period": map[string]string{"start": d, "end": d}, "todayHour": 25}
	var ans summaryAnswer
	if err := cl.call(ctx, http.MethodPost, "/summary-page/get-data", body, &ans); err != nil {
		return err
	}
	recs, err := DayRecords(day, cl.c.now(), ans, seen)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := e.Record(ctx, r); err != nil {
			return err
		}
	}
	raw, _ := json.Marshal(State{Through: d})
	return e.Checkpoint(ctx, raw)
}
