package klaviyo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Page sizes: each endpoint's published maximum.
const (
	profilePage  = 100 // get_profiles: max 100
	listPage     = 10  // get_lists, get_segments: max 10
	campaignPage = 100 // get_campaigns: max 100
	eventPage    = 200 // get_events: "a maximum of 200 events per page"
)

// overlap is how far before the saved time an incremental read starts.
// Klaviyo's times have whole seconds, so a profile changed in the same
// second as the newest one read last time would be missed by a strict
// greater-than; records older than the saved time are then dropped.
const overlap = time.Second

// state is a stream's checkpoint. Since is the newest update (or event)
// time fully read; Next, mid-read, is the links.next URL to continue from.
// Channel is the campaign channel being read.
type state struct {
	Since   *time.Time `json:"since,omitempty"`
	Newest  *time.Time `json:"newest,omitempty"`
	Next    string     `json:"next,omitempty"`
	Channel string     `json:"channel,omitempty"`
}

func parseState(raw json.RawMessage) (state, error) {
	var st state
	if len(raw) == 0 || string(raw) == "null" {
		return st, nil
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return st, fmt.Errorf("klaviyo stream state %s: %w", raw, connector.ErrInvalidConfig)
	}
	return st, nil
}

func checkpoint(ctx context.Context, e connector.Emitter, st state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode klaviyo state: %w", err)
	}
	return e.Checkpoint(ctx, b)
}

// Read emits one stream's records from state.
func (c *Connector) Read(ctx context.Context, conn connector.Connection, stream string, raw json.RawMessage, e connector.Emitter) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cl, err := c.client(conn)
	if err != nil {
		return err
	}
	st, err := parseState(raw)
	if err != nil {
		return err
	}
	switch stream {
	case StreamProfiles:
		return c.readTimed(ctx, cl, st, e, timedStream{
			path: "/api/profiles", field: "updated", size: profilePage,
			extra: map[string]string{"additional-fields[profile]": "subscriptions"},
			mapRec: func(r resource) (connector.Record, bool, error) {
				rec, err := mapProfile(r)
				return rec, err == nil, err
			},
		})
	case StreamEvents:
		// One read of every metric's events in time order, keeping the
		// three OmniFy maps: reading metric by metric would move the
		// checkpointed time backwards at each new metric.
		names, err := metricNames(ctx, cl)
		if err != nil {
			return err
		}
		currency := conn.Config["currency"]
		return c.readTimed(ctx, cl, st, e, timedStream{
			path: "/api/events", field: "datetime", size: eventPage,
			mapRec: func(r resource) (connector.Record, bool, error) { return mapEvent(r, names, currency) },
		})
	case StreamLists:
		return readObjects(ctx, cl, st, e, "/api/lists", StreamLists, "list")
	case StreamSegments:
		return readObjects(ctx, cl, st, e, "/api/segments", StreamSegments, "segment")
	case StreamCampaigns:
		return readCampaigns(ctx, cl, st, e)
	}
	return fmt.Errorf("klaviyo stream %q: %w", stream, connector.ErrUnknownStream)
}

// timedStream is an endpoint read in order of a time field.
type timedStream struct {
	path, field string
	size        int
	extra       map[string]string
	// mapRec maps a resource; ok false skips it.
	mapRec func(resource) (connector.Record, bool, error)
}

// readTimed reads ts sorted by its time field from st.Since (all of it
// when unset), checkpointing after every page: mid-read with the next
// link, at the end with the newest time read.
func (c *Connector) readTimed(ctx context.Context, cl *client, st state, e connector.Emitter, ts timedStream) error {
	path, q := st.Next, map[string]string(nil)
	if path == "" {
		path = ts.path
		q = map[string]string{"sort": ts.field, "page[size]": fmt.Sprint(ts.size)}
		for k, v := range ts.extra {
			q[k] = v
		}
		if st.Since != nil {
			q["filter"] = fmt.Sprintf("greater-than(%s,%s)", ts.field, st.Since.Add(-overlap).UTC().Format(time.RFC3339))
		}
	}
	newest := st.Newest
	if newest == nil {
		newest = st.Since
	}
	for {
		var page jsonAPIPage
		if err := cl.get(ctx, path, q, &page); err != nil {
			return err
		}
		for _, r := range page.Data {
			rec, ok, err := ts.mapRec(r)
			if err != nil {
				return err
			}
			if !ok || (st.Since != nil && rec.UpdatedAt.Before(*st.Since)) {
				continue
			}
			if err := e.Record(ctx, rec); err != nil {
				return err
			}
			if newest == nil || rec.UpdatedAt.After(*newest) {
				t := rec.UpdatedAt
				newest = &t
			}
		}
		next := page.next()
		cp := state{Since: st.Since, Newest: newest, Next: next}
		if next == "" {
			cp = state{Since: newest}
		}
		if err := checkpoint(ctx, e, cp); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		path, q = next, nil
	}
}

// metricNames reads every metric's name by ID.
func metricNames(ctx context.Context, cl *client) (map[string]string, error) {
	names := map[string]string{}
	path, q := "/api/metrics", map[string]string{"fields[metric]": "name"}
	for path != "" {
		var page jsonAPIPage
		if err := cl.get(ctx, path, q, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Data {
			var a struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(r.Attributes, &a); err != nil {
				return nil, fmt.Errorf("klaviyo metric %s: %w", r.ID, err)
			}
			names[r.ID] = a.Name
		}
		path, q = page.next(), nil
	}
	return names, nil
}

// readObjects reads lists or segments in full, resumable mid-read.
func readObjects(ctx context.Context, cl *client, st state, e connector.Emitter, path, stream, kind string) error {
	q := map[string]string{"page[size]": fmt.Sprint(listPage), "sort": "created"}
	if st.Next != "" {
		path, q = st.Next, nil
	}
	for {
		var page jsonAPIPage
		if err := cl.get(ctx, path, q, &page); err != nil {
			return err
		}
		for _, r := range page.Data {
			rec, err := mapObject(stream, kind, r)
			if err != nil {
				return err
			}
			if err := e.Record(ctx, rec); err != nil {
				return err
			}
		}
		next := page.next()
		if err := checkpoint(ctx, e, state{Next: next}); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		path, q = next, nil
	}
}

// campaignChannels are read one after the other: Klaviyo requires a
// channel filter on every campaigns request.
var campaignChannels = []string{"email", "sms"}

func readCampaigns(ctx context.Context, cl *client, st state, e connector.Emitter) error {
	started := st.Channel == ""
	for i, ch := range campaignChannels {
		if !started && ch != st.Channel {
			continue
		}
		path, q := "/api/campaigns", map[string]string{
			"filter": fmt.Sprintf("equals(messages.channel,'%s')", ch), "page[size]": fmt.Sprint(campaignPage), "sort": "created_at"}
		if !started && st.Next != "" {
			path, q = st.Next, nil
		}
		started = true
		for path != "" {
			var page jsonAPIPage
			if err := cl.get(ctx, path, q, &page); err != nil {
				return err
			}
			for _, r := range page.Data {
				rec, err := mapCampaign(ch, r)
				if err != nil {
					return err
				}
				if err := e.Record(ctx, rec); err != nil {
					return err
				}
			}
			path, q = page.next(), nil
			cp := state{Channel: ch, Next: path}
			if path == "" && i+1 < len(campaignChannels) {
				cp = state{Channel: campaignChannels[i+1]}
			} else if path == "" {
				cp = state{}
			}
			if err := checkpoint(ctx, e, cp); err != nil {
				return err
			}
		}
	}
	return nil
}
