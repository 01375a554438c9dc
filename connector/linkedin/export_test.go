package linkedin

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// Rest.li values for the encoding tests.
type (
	RLList   = rlList
	RLRecord = rlRecord
	RLField  = rlField
)

// EncodeRestli exposes the Rest.li 2.0 encoder.
func EncodeRestli(v any) string { return encodeRestli(v) }

// MapPage maps a finder page of stream as Read would; posts is the posts
// BATCH_GET answer creatives take their copy from, currency the campaign
// currencies analytics are priced in.
func MapPage(stream string, page, posts json.RawMessage, currency map[string]string, now time.Time) ([]connector.Record, error) {
	var p struct {
		Elements []json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal(page, &p); err != nil {
		return nil, err
	}
	var out []connector.Record
	for _, raw := range p.Elements {
		rec, ok, err := mapOne(stream, raw, posts, currency, now)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, rec)
		}
	}
	return out, nil
}

func mapOne(stream string, raw, posts json.RawMessage, currency map[string]string, now time.Time) (connector.Record, bool, error) {
	switch stream {
	case StreamAdAccounts:
		r, err := mapAccount(raw)
		return r, true, err
	case StreamCampaignGroups:
		r, err := mapGroup(raw)
		return r, true, err
	case StreamCampaigns:
		r, err := mapCampaign(raw)
		return r, true, err
	case StreamAudiences:
		r, err := mapSegment(raw)
		return r, true, err
	case StreamCreatives:
		var res struct {
			Results map[string]post `json:"results"`
		}
		if err := json.Unmarshal(posts, &res); err != nil {
			return connector.Record{}, false, err
		}
		r, err := mapCreative(raw, res.Results)
		return r, true, err
	case StreamAdAnalytics:
		var el analyticsElement
		if err := json.Unmarshal(raw, &el); err != nil {
			return connector.Record{}, false, err
		}
		p := &analyticsPass{currency: currency, now: now}
		return p.record(el)
	}
	return connector.Record{}, false, fmt.Errorf("no mapping for %s", stream)
}

// Rec builds a Rest.li record from key, value pairs.
func Rec(kv ...any) RLRecord {
	var r RLRecord
	for i := 0; i+1 < len(kv); i += 2 {
		r = append(r, rlField{kv[i].(string), kv[i+1]})
	}
	return r
}
