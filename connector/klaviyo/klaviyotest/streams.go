package klaviyotest

import (
	"net/http"
	"strings"
	"time"
)

var profileFilters = allowed{
	"id": {"any", "equals"}, "email": {"any", "equals"}, "phone_number": {"any", "equals"},
	"external_id": {"any", "equals"}, "created": {"greater-than", "less-than"}, "updated": {"greater-than", "less-than"},
}

func (s *Server) getProfiles(w http.ResponseWriter, r *http.Request, _ string) {
	cs, ok := filters(w, r, profileFilters)
	if !ok {
		return
	}
	field, desc, ok := sortParam(w, r, "id", "created", "updated", "email")
	if !ok {
		return
	}
	keep, ok := matcher(w, cs,
		map[string]func(*profile) time.Time{"created": func(p *profile) time.Time { return p.created }, "updated": func(p *profile) time.Time { return p.updated }},
		map[string]func(*profile) string{"id": func(p *profile) string { return p.id }, "email": func(p *profile) string { return p.email },
			"phone_number": func(p *profile) string { return p.phone }, "external_id": func(p *profile) string { return p.externalID }},
		(*profile)(nil))
	if !ok {
		return
	}
	subs := false
	for _, v := range strings.Split(r.URL.Query().Get("additional-fields[profile]"), ",") {
		subs = subs || v == "subscriptions"
	}
	fields := sparse(r, "profile")
	list, key := s.acct.profiles, func(p *profile) string { return p.id }
	switch field {
	case "updated":
		list, key = s.acct.byUpdated, func(p *profile) string { return sortKey(p.updated) }
	case "created":
		key = func(p *profile) string { return sortKey(p.created) } // creation order is ID order
	case "email":
		list = sortedBy(list, func(p *profile) string { return p.email })
		key = func(p *profile) string { return p.email }
	}
	sq := seq{n: len(list), at: func(i int) item {
		p := list[i]
		return item{key: key(p), id: p.id, ref: p, res: func() map[string]any { return profileRes(r, p, subs, fields) }}
	}}
	s.paginate(w, r, sq, keep, pageSpec{def: 20, max: 100, desc: desc}, nil)
}

func sortedBy[T any](in []T, key func(T) string) []T {
	out := append([]T(nil), in...)
	sortStable(out, func(a, b T) bool { return key(a) < key(b) })
	return out
}

// sparse returns the fields[type] sparse fieldset, nil for all fields.
func sparse(r *http.Request, typ string) map[string]bool {
	v := r.URL.Query().Get("fields[" + typ + "]")
	if v == "" {
		return nil
	}
	out := map[string]bool{}
	for _, f := range strings.Split(v, ",") {
		top, _, _ := strings.Cut(f, ".")
		out[top] = true
	}
	return out
}

func pick(attrs map[string]any, fields map[string]bool) map[string]any {
	if fields == nil {
		return attrs
	}
	for k := range attrs {
		if !fields[k] {
			delete(attrs, k)
		}
	}
	return attrs
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func profileRes(r *http.Request, p *profile, subs bool, fields map[string]bool) map[string]any {
	attrs := map[string]any{
		"email": nullable(p.email), "phone_number": nullable(p.phone), "external_id": nullable(p.externalID),
		"first_name": nullable(p.first), "last_name": nullable(p.last), "organization": nil, "locale": nil,
		"title": nil, "image": nil, "created": ts(p.created), "updated": ts(p.updated), "last_event_date": nil,
		"location": map[string]any{"address1": nil, "address2": nil, "city": nil, "country": nil, "latitude": nil,
			"longitude": nil, "region": nil, "zip": nil, "timezone": nil, "ip": nil},
		"properties": map[string]any{},
	}
	if subs {
		attrs["subscriptions"] = subscriptions(p)
	}
	return map[string]any{"type": "profile", "id": p.id, "attributes": pick(attrs, fields),
		"relationships": map[string]any{
			"lists":    map[string]any{"links": relLinks(r, "profiles", p.id, "lists")},
			"segments": map[string]any{"links": relLinks(r, "profiles", p.id, "segments")},
		},
		"links": resLinks(r, "profiles", p.id)}
}

func relLinks(r *http.Request, typ, id, rel string) map[string]any {
	base := "http://" + r.Host + "/api/" + typ + "/" + id
	return map[string]any{"self": base + "/relationships/" + rel + "/", "related": base + "/" + rel + "/"}
}

func subscriptions(p *profile) map[string]any {
	channel := func(consent string, canKey string) map[string]any {
		m := map[string]any{canKey: consent == "SUBSCRIBED", "consent": consent, "consent_timestamp": nil,
			"last_updated": nil, "method": nil, "method_detail": nil}
		if consent != "NEVER_SUBSCRIBED" {
			m["consent_timestamp"], m["last_updated"] = ts(p.created), ts(p.created)
			m["method"] = "FORM"
		}
		return m
	}
	email := channel(p.emailConsent, "can_receive_email_marketing")
	email["double_optin"], email["suppression"], email["list_suppressions"] = nil, []any{}, []any{}
	sms := channel(p.smsConsent, "can_receive_sms_marketing")
	if p.phone == "" {
		sms = channel("NEVER_SUBSCRIBED", "can_receive_sms_marketing")
	}
	return map[string]any{"email": map[string]any{"marketing": email}, "sms": map[string]any{"marketing": sms}}
}

var namedFilters = allowed{"name": {"any", "equals"}, "id": {"any", "equals"}, "created": {"greater-than"}, "updated": {"greater-than"}}

func (s *Server) getLists(w http.ResponseWriter, r *http.Request, _ string) {
	cs, ok := filters(w, r, namedFilters)
	if !ok {
		return
	}
	field, desc, ok := sortParam(w, r, "created", "id", "name", "updated")
	if !ok {
		return
	}
	keep, ok := matcher(w, cs,
		map[string]func(*list) time.Time{"created": func(l *list) time.Time { return l.created }, "updated": func(l *list) time.Time { return l.updated }},
		map[string]func(*list) string{"id": func(l *list) string { return l.id }, "name": func(l *list) string { return l.name }}, (*list)(nil))
	if !ok {
		return
	}
	ls := sortedBy(s.acct.lists, func(l *list) string { return namedKey(field, l.id, l.name, l.created, l.updated) })
	sq := seq{n: len(ls), at: func(i int) item {
		l := ls[i]
		return item{key: namedKey(field, l.id, l.name, l.created, l.updated), id: l.id, ref: l,
			res: func() map[string]any { return listRes(r, l) }}
	}}
	s.paginate(w, r, sq, keep, pageSpec{def: 10, max: 10, desc: desc}, nil)
}

func namedKey(field, id, name string, created, updated time.Time) string {
	switch field {
	case "name":
		return name
	case "created":
		return sortKey(created)
	case "updated":
		return sortKey(updated)
	}
	return id
}

func listRes(r *http.Request, l *list) map[string]any {
	return map[string]any{"type": "list", "id": l.id,
		"attributes": map[string]any{"name": l.name, "created": ts(l.created), "updated": ts(l.updated), "opt_in_process": l.optIn},
		"relationships": map[string]any{"profiles": map[string]any{"links": relLinks(r, "lists", l.id, "profiles")},
			"tags": map[string]any{"links": relLinks(r, "lists", l.id, "tags")}},
		"links": resLinks(r, "lists", l.id)}
}

func (s *Server) getSegments(w http.ResponseWriter, r *http.Request, _ string) {
	a := allowed{"is_active": {"any", "equals"}, "is_starred": {"equals"}}
	for k, v := range namedFilters {
		a[k] = v
	}
	cs, ok := filters(w, r, a)
	if !ok {
		return
	}
	field, desc, ok := sortParam(w, r, "created", "id", "name", "updated")
	if !ok {
		return
	}
	keep, ok := matcher(w, cs,
		map[string]func(*segment) time.Time{"created": func(g *segment) time.Time { return g.created }, "updated": func(g *segment) time.Time { return g.updated }},
		map[string]func(*segment) string{"id": func(g *segment) string { return g.id }, "name": func(g *segment) string { return g.name },
			"is_active": func(g *segment) string { return boolStr(g.active) }, "is_starred": func(*segment) string { return "false" }}, (*segment)(nil))
	if !ok {
		return
	}
	gs := sortedBy(s.acct.segments, func(g *segment) string { return namedKey(field, g.id, g.name, g.created, g.updated) })
	sq := seq{n: len(gs), at: func(i int) item {
		g := gs[i]
		return item{key: namedKey(field, g.id, g.name, g.created, g.updated), id: g.id, ref: g, res: func() map[string]any {
			return map[string]any{"type": "segment", "id": g.id,
				"attributes": map[string]any{"name": g.name, "definition": nil, "created": ts(g.created), "updated": ts(g.updated),
					"is_active": g.active, "is_processing": false, "is_starred": false},
				"links": resLinks(r, "segments", g.id)}
		}}
	}}
	s.paginate(w, r, sq, keep, pageSpec{def: 10, max: 10, desc: desc}, nil)
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

var campaignFilters = allowed{"id": {"any"}, "messages.channel": {"equals"}, "name": {"contains"}, "status": {"any", "equals"},
	"archived": {"equals"}, "created_at": {"greater-or-equal", "greater-than", "less-or-equal", "less-than"},
	"updated_at": {"greater-or-equal", "greater-than", "less-or-equal", "less-than"}}

func (s *Server) getCampaigns(w http.ResponseWriter, r *http.Request, _ string) {
	cs, ok := filters(w, r, campaignFilters)
	if !ok {
		return
	}
	channel := ""
	for _, c := range cs {
		if c.field == "messages.channel" {
			channel = c.vals[0]
		}
	}
	if channel != "email" && channel != "sms" && channel != "mobile_push" {
		invalid(w, "A channel filter is required to list campaigns. Please provide either: ?filter=equals(messages.channel,'email') to list email campaigns, or ?filter=equals(messages.channel,'sms') to list SMS campaigns.",
			map[string]string{"parameter": "filter"})
		return
	}
	field, desc, ok := sortParam(w, r, "created_at", "id", "name", "scheduled_at", "updated_at")
	if !ok {
		return
	}
	keep, ok := matcher(w, cs,
		map[string]func(*campaign) time.Time{"created_at": func(c *campaign) time.Time { return c.created }, "updated_at": func(c *campaign) time.Time { return c.updated }},
		map[string]func(*campaign) string{"id": func(c *campaign) string { return c.id }, "messages.channel": func(c *campaign) string { return c.channel },
			"name": func(c *campaign) string { return c.name }, "status": func(c *campaign) string { return c.status },
			"archived": func(*campaign) string { return "false" }}, (*campaign)(nil))
	if !ok {
		return
	}
	key := func(c *campaign) string {
		switch field {
		case "created_at", "scheduled_at":
			return sortKey(c.created)
		case "updated_at":
			return sortKey(c.updated)
		case "name":
			return c.name
		}
		return c.id
	}
	cps := sortedBy(s.acct.campaigns, key)
	sq := seq{n: len(cps), at: func(i int) item {
		c := cps[i]
		return item{key: key(c), id: c.id, ref: c, res: func() map[string]any { return campaignRes(r, c) }}
	}}
	s.paginate(w, r, sq, keep, pageSpec{def: 100, max: 100, desc: desc}, nil)
}

func campaignRes(r *http.Request, c *campaign) map[string]any {
	var send any
	strategy := map[string]any{"method": "immediate"}
	if c.sent != nil {
		send = ts(*c.sent)
		strategy = map[string]any{"method": "static", "datetime": ts(*c.sent), "options": map[string]any{"is_local": false}}
	}
	return map[string]any{"type": "campaign", "id": c.id,
		"attributes": map[string]any{"name": c.name, "status": c.status, "archived": false,
			"audiences":     map[string]any{"included": []string{"L00001"}, "excluded": []string{}},
			"send_options":  map[string]any{"use_smart_sending": true},
			"send_strategy": strategy, "created_at": ts(c.created), "scheduled_at": send, "updated_at": ts(c.updated), "send_time": send},
		"relationships": map[string]any{"campaign-messages": map[string]any{"links": relLinks(r, "campaigns", c.id, "campaign-messages")}},
		"links":         resLinks(r, "campaigns", c.id)}
}

func (s *Server) getMetrics(w http.ResponseWriter, r *http.Request, _ string) {
	cs, ok := filters(w, r, allowed{"integration.name": {"equals"}, "integration.category": {"equals"}})
	if !ok {
		return
	}
	keep, _ := matcher(w, cs, nil, map[string]func(*metric) string{
		"integration.name": integrationOf, "integration.category": func(m *metric) string { return strings.ToLower(integrationOf(m)) },
	}, (*metric)(nil))
	ms := s.acct.metrics
	sq := seq{n: len(ms), at: func(i int) item {
		m := ms[i]
		return item{key: m.id, id: m.id, ref: m, res: func() map[string]any { return metricRes(r, m) }}
	}}
	s.paginate(w, r, sq, keep, pageSpec{def: 200}, nil)
}

func integrationOf(m *metric) string {
	if m.name == "Placed Order" || m.name == "Viewed Product" {
		return "Shopify"
	}
	return "Klaviyo"
}

func metricRes(r *http.Request, m *metric) map[string]any {
	return map[string]any{"type": "metric", "id": m.id,
		"attributes": map[string]any{"name": m.name, "created": ts(m.created), "updated": ts(m.updated),
			"integration": map[string]any{"name": integrationOf(m), "category": strings.ToLower(integrationOf(m))}},
		"links": resLinks(r, "metrics", m.id)}
}

var eventFilters = allowed{"metric_id": {"equals"}, "profile_id": {"equals"},
	"datetime":  {"greater-or-equal", "greater-than", "less-or-equal", "less-than"},
	"timestamp": {"greater-or-equal", "greater-than", "less-or-equal", "less-than"}}

func (s *Server) getEvents(w http.ResponseWriter, r *http.Request, _ string) {
	cs, ok := filters(w, r, eventFilters)
	if !ok {
		return
	}
	_, desc, ok := sortParam(w, r, "datetime", "timestamp")
	if !ok {
		return
	}
	at := func(e *event) time.Time { return e.at }
	keep, ok := matcher(w, cs, map[string]func(*event) time.Time{"datetime": at, "timestamp": at},
		map[string]func(*event) string{"metric_id": func(e *event) string { return e.metricID }, "profile_id": func(e *event) string { return e.profileID }},
		(*event)(nil))
	if !ok {
		return
	}
	evs := s.acct.events
	sq := seq{n: len(evs), at: func(i int) item {
		e := evs[i]
		return item{key: sortKey(e.at), id: e.id, ref: e, res: func() map[string]any { return eventRes(r, e) }}
	}}
	var inc func([]item) []any
	if strings.Contains(r.URL.Query().Get("include"), "metric") {
		inc = func(page []item) []any {
			seen, out := map[string]bool{}, []any{}
			for _, it := range page {
				if id := it.ref.(*event).metricID; !seen[id] {
					seen[id] = true
					out = append(out, metricRes(r, s.acct.metricByID[id]))
				}
			}
			return out
		}
	}
	s.paginate(w, r, sq, keep, pageSpec{def: 200, max: 1000, desc: desc}, inc)
}

func eventRes(r *http.Request, e *event) map[string]any {
	rel := map[string]any{"metric": map[string]any{"data": map[string]any{"type": "metric", "id": e.metricID},
		"links": relLinks(r, "events", e.id, "metric")}}
	if e.profileID != "" {
		rel["profile"] = map[string]any{"data": map[string]any{"type": "profile", "id": e.profileID},
			"links": relLinks(r, "events", e.id, "profile")}
	}
	return map[string]any{"type": "event", "id": e.id,
		"attributes":    map[string]any{"timestamp": e.at.Unix(), "datetime": ts(e.at), "uuid": e.id, "event_properties": e.props},
		"relationships": rel, "links": resLinks(r, "events", e.id)}
}
