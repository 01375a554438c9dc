package gohighleveltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

const stamp = "2006-01-02T15:04:05.000Z"

// contactJSON is a contact in the GetContectByIdSchema shape.
func contactJSON(c *Contact, location string) map[string]any {
	m := map[string]any{
		"id": c.ID, "locationId": location, "firstName": c.FirstName, "lastName": c.LastName,
		"firstNameLowerCase": strings.ToLower(c.FirstName), "lastNameLowerCase": strings.ToLower(c.LastName),
		"email": c.Email, "phone": c.Phone, "dnd": c.DND, "tags": nonNil(c.Tags), "type": "lead", "source": "omnify fake",
		"dateAdded": c.DateAdded.UTC().Format(stamp), "dateUpdated": c.DateUpdated.UTC().Format(stamp),
		"customFields": []any{},
	}
	if c.Email != "" {
		m["emailLowerCase"] = strings.ToLower(c.Email)
	}
	if c.EmailDND != "" {
		m["dndSettings"] = map[string]any{"Email": map[string]any{"status": c.EmailDND, "message": "", "code": ""}}
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// searchBody is what /contacts/search takes, per HighLevel's advanced
// search documentation (the OpenAPI body is empty).
type searchBody struct {
	LocationID  string   `json:"locationId"`
	Page        int      `json:"page"`
	PageLimit   int      `json:"pageLimit"`
	SearchAfter []any    `json:"searchAfter"`
	Filters     []filter `json:"filters"`
	Sort        []struct {
		Field     string `json:"field"`
		Direction string `json:"direction"`
	} `json:"sort"`
}

type filter struct {
	Field    string                     `json:"field"`
	Operator string                     `json:"operator"`
	Value    map[string]json.RawMessage `json:"value"`
}

// decodeStrict decodes a JSON body refusing unknown properties, as
// HighLevel's validation does.
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeUnprocessable(w, "invalid body: "+err.Error())
		return false
	}
	return true
}

func (s *Server) searchContacts(w http.ResponseWriter, r *http.Request) {
	var b searchBody
	if !decodeStrict(w, r, &b) || !s.location(w, b.LocationID, "locationId") {
		return
	}
	if b.PageLimit == 0 {
		b.PageLimit = 20
	}
	if b.PageLimit < 1 || b.PageLimit > s.o.SearchMax {
		writeUnprocessable(w, fmt.Sprintf("pageLimit must be between 1 and %d", s.o.SearchMax))
		return
	}
	if b.Page > 0 && b.Page*b.PageLimit > 10000 {
		writeUnprocessable(w, "page * pageLimit must not exceed 10000; use searchAfter")
		return
	}
	keep, msg := contactFilter(b)
	if msg != "" {
		writeUnprocessable(w, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	page, total := s.searchPage(b, keep)
	out := make([]map[string]any, 0, len(page))
	for _, c := range page {
		m := contactJSON(c, s.o.LocationID)
		m["searchAfter"] = []any{c.DateUpdated.UnixMilli(), c.ID}
		out = append(out, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"contacts": out, "total": total})
}

// searchPage returns one page of matches and the number of matches.
// Deep pages with searchAfter start at the cursor by binary search, as an
// index would; the total counts matches of the filters alone.
func (s *Server) searchPage(b searchBody, keep func(*Contact, bool) bool) ([]*Contact, int) {
	all := s.data.sortedContacts()
	total := 0
	for _, c := range all {
		if keep(c, false) {
			total++
		}
	}
	from, skip := 0, max(b.Page-1, 0)*b.PageLimit
	if len(b.SearchAfter) == 2 {
		ms, _ := b.SearchAfter[0].(float64)
		id, _ := b.SearchAfter[1].(string)
		from = sort.Search(len(all), func(i int) bool {
			t := all[i].DateUpdated.UnixMilli()
			return t > int64(ms) || (t == int64(ms) && all[i].ID > id)
		})
	}
	var page []*Contact
	for _, c := range all[from:] {
		if len(page) == b.PageLimit {
			break
		}
		if !keep(c, true) {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		page = append(page, c)
	}
	return page, total
}

// contactFilter builds the filter of a search: the dateUpdated range, the
// searchAfter position (sorted by dateUpdated ascending only).
func contactFilter(b searchBody) (func(*Contact, bool) bool, string) {
	if len(b.Sort) > 1 || (len(b.Sort) == 1 && (b.Sort[0].Field != "dateUpdated" || b.Sort[0].Direction != "asc")) {
		return nil, "the fake sorts by dateUpdated asc only"
	}
	var after func(*Contact) bool = func(*Contact) bool { return true }
	if len(b.SearchAfter) > 0 {
		if b.Page > 0 || len(b.SearchAfter) != 2 {
			return nil, "searchAfter takes the two values of a result's searchAfter and no page"
		}
		ms, ok1 := b.SearchAfter[0].(float64)
		id, ok2 := b.SearchAfter[1].(string)
		if !ok1 || !ok2 {
			return nil, "searchAfter must be [number, string]"
		}
		after = func(c *Contact) bool {
			t := c.DateUpdated.UnixMilli()
			return t > int64(ms) || (t == int64(ms) && c.ID > id)
		}
	}
	var ranges []func(*Contact) bool
	for _, f := range b.Filters {
		fn, msg := rangeFilter(f)
		if msg != "" {
			return nil, msg
		}
		ranges = append(ranges, fn)
	}
	return func(c *Contact, withCursor bool) bool {
		for _, fn := range ranges {
			if !fn(c) {
				return false
			}
		}
		return !withCursor || after(c)
	}, ""
}

func rangeFilter(f filter) (func(*Contact) bool, string) {
	if f.Field != "dateUpdated" || f.Operator != "range" {
		return nil, fmt.Sprintf("filter %s %s is not supported", f.Field, f.Operator)
	}
	var checks []func(time.Time) bool
	for op, raw := range f.Value {
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, "range values must be ISO 8601 strings"
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return nil, fmt.Sprintf("range %s: %q is not an ISO 8601 date", op, v)
		}
		switch op {
		case "gte":
			checks = append(checks, func(x time.Time) bool { return !x.Before(t) })
		case "gt":
			checks = append(checks, func(x time.Time) bool { return x.After(t) })
		case "lte":
			checks = append(checks, func(x time.Time) bool { return !x.After(t) })
		case "lt":
			checks = append(checks, func(x time.Time) bool { return x.Before(t) })
		default:
			return nil, "range operator " + op + " is not supported"
		}
	}
	return func(c *Contact) bool {
		for _, ok := range checks {
			if !ok(c.DateUpdated) {
				return false
			}
		}
		return true
	}, ""
}

func (s *Server) duplicate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !s.location(w, q.Get("locationId"), "locationId") {
		return
	}
	if q.Get("email") == "" && q.Get("number") == "" {
		writeError(w, http.StatusBadRequest, "email or number is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var c any
	if found := s.data.byEmail(q.Get("email")); found != nil && q.Get("email") != "" {
		c = contactJSON(found, s.o.LocationID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"contact": c})
}

type upsertBody struct {
	LocationID string   `json:"locationId"`
	Email      string   `json:"email"`
	Phone      string   `json:"phone"`
	FirstName  string   `json:"firstName"`
	LastName   string   `json:"lastName"`
	Source     string   `json:"source"`
	Tags       []string `json:"tags"`
}

func (s *Server) upsert(w http.ResponseWriter, r *http.Request) {
	var b upsertBody
	if !decodeStrict(w, r, &b) || !s.location(w, b.LocationID, "locationId") {
		return
	}
	if b.Email == "" && b.Phone == "" {
		writeError(w, http.StatusBadRequest, "email or phone is required")
		return
	}
	if b.Email != "" && !strings.Contains(b.Email, "@") {
		writeUnprocessable(w, "email must be an email")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, isNew := s.data.byEmail(b.Email), false
	if c == nil {
		c, isNew = s.data.addContact(b.Email, b.FirstName, b.LastName, b.Phone), true
		c.Tags, c.DND, c.EmailDND = nil, false, ""
	}
	if b.Tags != nil {
		c.Tags = lowerAll(b.Tags)
	}
	c.DateUpdated = s.data.tick()
	writeJSON(w, http.StatusOK, map[string]any{"new": isNew, "contact": contactJSON(c, s.o.LocationID), "traceId": "trace-fake"})
}

func lowerAll(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

type bulkTagBody struct {
	Contacts      []string `json:"contacts"`
	Tags          []string `json:"tags"`
	LocationID    string   `json:"locationId"`
	RemoveAllTags bool     `json:"removeAllTags"`
}

// bulkTags is POST /contacts/bulk/tags/update/{type}, type add or remove;
// it answers per contact, as UpdateTagsResponseDTO.
func (s *Server) bulkTags(w http.ResponseWriter, r *http.Request) {
	typ := r.PathValue("type")
	var b bulkTagBody
	if !decodeStrict(w, r, &b) || !s.location(w, b.LocationID, "locationId") {
		return
	}
	switch {
	case typ != "add" && typ != "remove":
		writeError(w, http.StatusBadRequest, "type must be add or remove")
		return
	case len(b.Contacts) == 0 || len(b.Tags) == 0:
		writeUnprocessable(w, "contacts should not be empty", "tags should not be empty")
		return
	case len(b.Contacts) > s.o.BulkTagMax:
		writeUnprocessable(w, fmt.Sprintf("contacts must contain no more than %d elements", s.o.BulkTagMax))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.BulkTags++
	var resps []map[string]any
	errs := 0
	for _, id := range b.Contacts {
		c := s.data.contacts[id]
		if c == nil {
			errs++
			resps = append(resps, map[string]any{"contactId": id, "message": "contact does not belong to location", "type": "error"})
			continue
		}
		resps = append(resps, s.retag(c, typ, lowerAll(b.Tags)))
	}
	writeJSON(w, http.StatusCreated, map[string]any{"succeded": errs == 0, "errorCount": errs, "responses": resps})
}

func (s *Server) retag(c *Contact, typ string, tags []string) map[string]any {
	old := slices.Clone(nonNil(c.Tags))
	var added, removed []string
	for _, t := range tags {
		has := slices.Contains(c.Tags, t)
		switch {
		case typ == "add" && !has:
			c.Tags = append(c.Tags, t)
			added = append(added, t)
		case typ == "remove" && has:
			c.Tags = slices.DeleteFunc(c.Tags, func(x string) bool { return x == t })
			removed = append(removed, t)
		}
	}
	if len(added)+len(removed) > 0 {
		c.DateUpdated = s.data.tick()
	}
	return map[string]any{"contactId": c.ID, "message": "Tags updated", "type": "success", "oldTags": old,
		"tagsAdded": nonNil(added), "tagsRemoved": nonNil(removed)}
}

// contactTags is POST (add) and DELETE (remove) /contacts/{id}/tags.
func (s *Server) contactTags(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Tags []string `json:"tags"`
	}
	if !decodeStrict(w, r, &b) {
		return
	}
	if b.Tags == nil {
		writeUnprocessable(w, "tags must be an array")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.data.contacts[r.PathValue("contactId")]
	if c == nil {
		writeError(w, http.StatusBadRequest, "Contact not found")
		return
	}
	typ, status := "add", http.StatusCreated
	if r.Method == http.MethodDelete {
		typ, status = "remove", http.StatusOK
	}
	s.retag(c, typ, lowerAll(b.Tags))
	writeJSON(w, status, map[string]any{"tags": nonNil(c.Tags)})
}

// searchOpportunities is GET /opportunities/search: created order, limit
// up to 100, startAfter (ms) + startAfterId cursors, page numbers in meta.
func (s *Server) searchOpportunities(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !s.location(w, q.Get("location_id"), "location_id") {
		return
	}
	limit, page, after, msg := oppParams(q)
	if msg != "" {
		writeUnprocessable(w, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var rest []*Opportunity
	for _, o := range s.data.opps {
		t := o.CreatedAt.UnixMilli()
		if after.id == "" || t > after.ms || (t == after.ms && o.ID > after.id) {
			rest = append(rest, o)
		}
	}
	items := rest[:min(limit, len(rest))]
	out := make([]map[string]any, 0, len(items))
	for _, o := range items {
		out = append(out, s.oppJSON(o))
	}
	meta := map[string]any{"total": len(s.data.opps), "currentPage": page, "prevPage": nil, "nextPage": nil, "nextPageUrl": nil}
	if page > 1 {
		meta["prevPage"] = page - 1
	}
	if len(items) > 0 {
		last := items[len(items)-1]
		meta["startAfter"], meta["startAfterId"] = last.CreatedAt.UnixMilli(), last.ID
	}
	if len(rest) > limit {
		meta["nextPage"] = page + 1
		meta["nextPageUrl"] = fmt.Sprintf("%s/opportunities/search?location_id=%s&limit=%d&page=%d&startAfter=%d&startAfterId=%s",
			s.URL, s.o.LocationID, limit, page+1, meta["startAfter"], meta["startAfterId"])
	}
	writeJSON(w, http.StatusOK, map[string]any{"opportunities": out, "meta": meta, "aggregations": map[string]any{}})
}

type cursor struct {
	ms int64
	id string
}

func oppParams(q url.Values) (limit, page int, after cursor, msg string) {
	limit, page = 20, 1
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return 0, 0, cursor{}, "limit must be a number between 1 and 100"
		}
		limit = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, cursor{}, "page must be a positive number"
		}
		page = n
	}
	if (q.Get("startAfter") == "") != (q.Get("startAfterId") == "") {
		return 0, 0, cursor{}, "startAfter and startAfterId go together"
	}
	if v := q.Get("startAfter"); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, 0, cursor{}, "startAfter must be a timestamp in milliseconds"
		}
		after = cursor{ms: ms, id: q.Get("startAfterId")}
	}
	return limit, page, after, ""
}

func (s *Server) oppJSON(o *Opportunity) map[string]any {
	m := map[string]any{
		"id": o.ID, "name": o.Name, "monetaryValue": o.MonetaryValue, "pipelineId": o.PipelineID,
		"pipelineStageId": o.StageID, "status": o.Status, "source": "", "contactId": o.ContactID,
		"locationId": s.o.LocationID, "createdAt": o.CreatedAt.UTC().Format(stamp), "updatedAt": o.UpdatedAt.UTC().Format(stamp),
		"lastStatusChangeAt": o.UpdatedAt.UTC().Format(stamp), "customFields": []any{}, "followers": []any{},
	}
	if c := s.data.contacts[o.ContactID]; c != nil {
		m["contact"] = map[string]any{"id": c.ID, "name": c.FirstName + " " + c.LastName, "email": c.Email, "phone": c.Phone, "tags": nonNil(c.Tags)}
	}
	return m
}

func (s *Server) listCampaigns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !s.location(w, q.Get("locationId"), "locationId") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, c := range s.data.campaigns {
		if st := q.Get("status"); st == "" || st == c.Status {
			out = append(out, map[string]any{"id": c.ID, "name": c.Name, "status": c.Status, "locationId": s.o.LocationID})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaigns": out})
}

func (s *Server) listWorkflows(w http.ResponseWriter, r *http.Request) {
	if !s.location(w, r.URL.Query().Get("locationId"), "locationId") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, f := range s.data.workflows {
		out = append(out, map[string]any{"id": f.ID, "name": f.Name, "status": f.Status, "version": f.Version,
			"createdAt": f.CreatedAt.UTC().Format(stamp), "updatedAt": f.UpdatedAt.UTC().Format(stamp), "locationId": s.o.LocationID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"workflows": out})
}

// token is POST /oauth/token (form encoded): the refresh_token grant
// rotates the refresh token; anything else the fake does not serve.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeError(w, http.StatusBadRequest, "body must be application/x-www-form-urlencoded")
		return
	}
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case f.Get("client_id") != s.o.ClientID || f.Get("client_secret") != s.o.ClientSecret:
		writeError(w, http.StatusUnauthorized, "invalid client credentials")
		return
	case f.Get("grant_type") != "refresh_token":
		writeUnprocessable(w, "grant_type must be one of authorization_code, refresh_token, client_credentials")
		return
	case f.Get("refresh_token") != s.refresh:
		writeError(w, http.StatusUnauthorized, "Invalid grant: refresh token is invalid")
		return
	}
	s.stats.Refreshes++
	tok, _ := s.issueLocked()
	s.refresh = fmt.Sprintf("refresh-%d", s.seq)
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(map[string]any{"access_token": tok, "token_type": "Bearer",
		"expires_in": int(s.o.TokenTTL.Seconds()), "refresh_token": s.refresh, "scope": "contacts.readonly contacts.write",
		"userType": "Location", "locationId": s.o.LocationID, "userId": "user-fake"})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.Bytes())
}
