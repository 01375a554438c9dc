package hubspottest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// wireObject is an object as HubSpot answers it.
type wireObject struct {
	ID         string             `json:"id"`
	Properties map[string]*string `json:"properties"`
	CreatedAt  string             `json:"createdAt"`
	UpdatedAt  string             `json:"updatedAt"`
	Archived   bool               `json:"archived"`
}

type nextLink struct {
	After string `json:"after"`
	Link  string `json:"link,omitempty"`
}

type paging struct {
	Paging *struct {
		Next nextLink `json:"next"`
	} `json:"paging,omitempty"`
}

func nextPage(after, link string) *struct {
	Next nextLink `json:"next"`
} {
	return &struct {
		Next nextLink `json:"next"`
	}{Next: nextLink{After: after, Link: link}}
}

var defaultProps = map[string][]string{
	Contacts:  {"email", "firstname", "lastname"},
	Companies: {"name", "domain"},
	Deals:     {"dealname", "amount", "dealstage", "pipeline"},
}

func knownType(typ string) bool { return typ == Contacts || typ == Companies || typ == Deals }

// wire renders o with the requested properties plus the ones HubSpot
// always returns.
func wire(typ string, o *object, props []string) wireObject {
	if len(props) == 0 {
		props = defaultProps[typ]
	}
	out := wireObject{ID: strconv.FormatInt(o.id, 10), Properties: map[string]*string{},
		CreatedAt: o.created.UTC().Format(timeFormat), UpdatedAt: o.updated.UTC().Format(timeFormat), Archived: o.archived}
	for _, p := range append([]string{"createdate", "hs_object_id", modifiedProperty(typ)}, props...) {
		if v, ok := o.props[p]; ok {
			out.Properties[p] = v
		}
	}
	return out
}

func splitProps(v string) []string {
	var out []string
	for p := range strings.SplitSeq(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// listObjects is GET /crm/v3/objects/{type}: ascending IDs, a cursor in
// paging.next.after, no paging on the last page.
func (s *Server) listObjects(w http.ResponseWriter, r *http.Request) {
	typ := r.PathValue("type")
	if !knownType(typ) {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Unable to infer object type from: %s", typ))
		return
	}
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), 10)
	if err != nil || limit < 1 || limit > MaxListPage {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("limit must be between 1 and %d", MaxListPage))
		return
	}
	var after int64
	if a := q.Get("after"); a != "" {
		if after, err = strconv.ParseInt(a, 10, 64); err != nil {
			s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "invalid after cursor "+strconv.Quote(a))
			return
		}
	}
	archived := q.Get("archived") == "true"
	props := splitProps(q.Get("properties"))
	s.mu.Lock()
	objs := s.portal.objects[typ]
	i := sort.Search(len(objs), func(i int) bool { return objs[i].id >= after })
	results := []wireObject{}
	for ; i < len(objs) && len(results) < limit; i++ {
		if objs[i].archived == archived {
			results = append(results, wire(typ, objs[i], props))
		}
	}
	for i < len(objs) && objs[i].archived != archived {
		i++
	}
	var next int64
	if i < len(objs) {
		next = objs[i].id
	}
	s.mu.Unlock()
	out := struct {
		Results []wireObject `json:"results"`
		paging
	}{Results: results}
	if next != 0 {
		link := fmt.Sprintf("https://api.hubapi.com/crm/v3/objects/%s?limit=%d&after=%d", typ, limit, next)
		out.Paging = nextPage(strconv.FormatInt(next, 10), link)
	}
	s.write(w, http.StatusOK, out)
}

func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}

// searchRequest is the body of POST …/search.
type searchRequest struct {
	Query        string        `json:"query,omitempty"`
	FilterGroups []filterGroup `json:"filterGroups"`
	Sorts        []sortSpec    `json:"sorts"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after"`
}

type filterGroup struct {
	Filters []filter `json:"filters"`
}

type filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
}

type sortSpec struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// search is POST /crm/v3/objects/{type}/search.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	typ := r.PathValue("type")
	var req searchRequest
	if !knownType(typ) {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Unable to infer object type from: %s", typ))
		return
	}
	if !s.decode(w, r, &req) {
		return
	}
	if msg := validateSearch(&req); msg != "" {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", msg)
		return
	}
	offset, _ := strconv.Atoi(req.After)
	if offset+req.Limit > MaxSearchResults {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("The maximum number of results a search can page through is %d; after=%d and limit=%d go beyond it.", MaxSearchResults, offset, req.Limit))
		return
	}
	s.mu.Lock()
	matched := s.portal.match(typ, req)
	end := min(offset+req.Limit, len(matched))
	results := []wireObject{}
	for _, o := range matched[min(offset, len(matched)):end] {
		results = append(results, wire(typ, o, req.Properties))
	}
	s.mu.Unlock()
	out := struct {
		Total   int          `json:"total"`
		Results []wireObject `json:"results"`
		paging
	}{Total: len(matched), Results: results}
	if end < len(matched) && end < MaxSearchResults {
		out.Paging = nextPage(strconv.Itoa(end), "")
	}
	s.write(w, http.StatusOK, out)
}

var operators = map[string]bool{"EQ": true, "NEQ": true, "LT": true, "LTE": true, "GT": true, "GTE": true}

func validateSearch(req *searchRequest) string {
	if req.Limit == 0 {
		req.Limit = 10
	}
	if req.Limit < 0 || req.Limit > MaxSearchPage {
		return fmt.Sprintf("limit must be between 1 and %d", MaxSearchPage)
	}
	if req.After != "" {
		if n, err := strconv.Atoi(req.After); err != nil || n < 0 {
			return "after must be a non-negative number, got " + strconv.Quote(req.After)
		}
	}
	if len(req.FilterGroups) > 5 {
		return "a search takes at most 5 filterGroups"
	}
	for _, g := range req.FilterGroups {
		if len(g.Filters) > 6 {
			return "a filterGroup takes at most 6 filters"
		}
		for _, f := range g.Filters {
			if !operators[f.Operator] {
				return "unsupported operator " + strconv.Quote(f.Operator)
			}
		}
	}
	if len(req.Sorts) > 1 {
		return "a search takes at most one sort"
	}
	return ""
}

// match returns the live objects the request's filters select, in its
// sort order (ties by ID), or by ID when unsorted.
func (p *portal) match(typ string, req searchRequest) []*object {
	all := p.objects[typ]
	if len(req.Sorts) == 1 {
		all = p.sorted(typ, req.Sorts[0])
	}
	var out []*object
	for _, o := range all {
		if !o.archived && matchesAny(typ, o, req.FilterGroups) {
			out = append(out, o)
		}
	}
	return out
}

// sorted returns typ's objects in a sort's order, cached until the next
// change, so deep paging does not sort the portal on every page.
func (p *portal) sorted(typ string, spec sortSpec) []*object {
	key := typ + "\x00" + spec.PropertyName + "\x00" + spec.Direction
	if c, ok := p.sortCache[key]; ok && c.version == p.version {
		return c.objs
	}
	out := slices.Clone(p.objects[typ])
	desc := spec.Direction == "DESCENDING"
	sort.SliceStable(out, func(i, j int) bool {
		c := compareProp(typ, out[i], out[j], spec.PropertyName)
		if desc {
			c = -c
		}
		return c < 0 || (c == 0 && out[i].id < out[j].id)
	})
	p.sortCache[key] = sortedObjects{version: p.version, objs: out}
	return out
}

type sortedObjects struct {
	version int
	objs    []*object
}

func matchesAny(typ string, o *object, groups []filterGroup) bool {
	if len(groups) == 0 {
		return true
	}
	for _, g := range groups {
		if matchesAll(typ, o, g.Filters) {
			return true
		}
	}
	return false
}

func matchesAll(typ string, o *object, fs []filter) bool {
	for _, f := range fs {
		c, ok := compareValue(typ, o, f.PropertyName, f.Value)
		if !ok {
			return false
		}
		switch f.Operator {
		case "EQ":
			ok = c == 0
		case "NEQ":
			ok = c != 0
		case "LT":
			ok = c < 0
		case "LTE":
			ok = c <= 0
		case "GT":
			ok = c > 0
		case "GTE":
			ok = c >= 0
		}
		if !ok {
			return false
		}
	}
	return true
}

// compareValue compares o's property with a filter value: datetimes as
// epoch milliseconds (HubSpot also takes ISO dates), others as strings.
func compareValue(typ string, o *object, prop, value string) (int, bool) {
	if isTimeProp(typ, prop) {
		t, ok := propTime(o, prop)
		if !ok {
			return 0, false
		}
		v, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			pt, perr := time.Parse(time.RFC3339Nano, value)
			if perr != nil {
				return 0, false
			}
			v = pt.UnixMilli()
		}
		return cmpInt(t.UnixMilli(), v), true
	}
	pv := o.props[prop]
	if pv == nil {
		return 0, false
	}
	return strings.Compare(*pv, value), true
}

func isTimeProp(typ, prop string) bool {
	return prop == "createdate" || prop == modifiedProperty(typ)
}

// propTime reads a datetime property from the object's own times, which
// stampProps keeps the properties equal to.
func propTime(o *object, prop string) (time.Time, bool) {
	if prop == "createdate" {
		return o.created, true
	}
	return o.updated, true
}

func compareProp(typ string, a, b *object, prop string) int {
	if isTimeProp(typ, prop) {
		ta, _ := propTime(a, prop)
		tb, _ := propTime(b, prop)
		return ta.Compare(tb)
	}
	va, vb := "", ""
	if p := a.props[prop]; p != nil {
		va = *p
	}
	if p := b.props[prop]; p != nil {
		vb = *p
	}
	return strings.Compare(va, vb)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// batchError is one error of a multi-status batch answer.
type batchError struct {
	Status   string              `json:"status"`
	Category string              `json:"category"`
	Message  string              `json:"message"`
	Context  map[string][]string `json:"context,omitempty"`
}

type batchResult struct {
	Status      string       `json:"status"`
	Results     []wireObject `json:"results"`
	NumErrors   int          `json:"numErrors,omitempty"`
	Errors      []batchError `json:"errors,omitempty"`
	StartedAt   string       `json:"startedAt"`
	CompletedAt string       `json:"completedAt"`
}

// batchRead is POST /crm/v3/objects/contacts/batch/read, by ID or by a
// unique property (idProperty "email"); unknown inputs make it 207.
func (s *Server) batchRead(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Properties            []string `json:"properties"`
		PropertiesWithHistory []string `json:"propertiesWithHistory,omitempty"`
		IDProperty            string   `json:"idProperty,omitempty"`
		Inputs                []struct {
			ID string `json:"id"`
		} `json:"inputs"`
	}
	typ := r.PathValue("type")
	if typ != Contacts {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "the fake serves batch reads of contacts only")
		return
	}
	if !s.decode(w, r, &req) || !s.batchSize(w, len(req.Inputs)) {
		return
	}
	if req.IDProperty != "" && req.IDProperty != "email" && req.IDProperty != "hs_object_id" {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "idProperty must be a unique property, got "+strconv.Quote(req.IDProperty))
		return
	}
	now := s.o.Now().UTC().Format(timeFormat)
	out := batchResult{Status: "COMPLETE", Results: []wireObject{}, StartedAt: now, CompletedAt: now}
	var missing []string
	s.mu.Lock()
	for _, in := range req.Inputs {
		var o *object
		if req.IDProperty == "email" {
			o = s.portal.byEmail(in.ID)
		} else if id, err := strconv.ParseInt(in.ID, 10, 64); err == nil {
			if o = s.portal.byID[typ][id]; o != nil && o.archived {
				o = nil
			}
		}
		if o == nil {
			missing = append(missing, in.ID)
			continue
		}
		out.Results = append(out.Results, wire(typ, o, req.Properties))
	}
	s.mu.Unlock()
	status := http.StatusOK
	if len(missing) > 0 {
		status, out.NumErrors = http.StatusMultiStatus, 1
		out.Errors = []batchError{{Status: "error", Category: "OBJECT_NOT_FOUND",
			Message: "Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.",
			Context: map[string][]string{"ids": missing}}}
	}
	s.write(w, status, out)
}

func (s *Server) batchSize(w http.ResponseWriter, n int) bool {
	if n == 0 || n > MaxBatch {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Batch input must have between 1 and %d inputs, got %d", MaxBatch, n))
		return false
	}
	return true
}

// batchCreate is POST /crm/v3/objects/contacts/batch/create. Like
// HubSpot, it creates all or nothing: an invalid or taken email refuses
// the whole batch.
func (s *Server) batchCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Inputs []struct {
			Properties map[string]string `json:"properties"`
		} `json:"inputs"`
	}
	if r.PathValue("type") != Contacts {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "the fake serves batch creates of contacts only")
		return
	}
	if !s.decode(w, r, &req) || !s.batchSize(w, len(req.Inputs)) {
		return
	}
	inputs := make([]map[string]string, len(req.Inputs))
	for i, in := range req.Inputs {
		inputs[i] = in.Properties
	}
	s.mu.Lock()
	status, category, msg := s.portal.checkCreate(inputs)
	var out batchResult
	if status == 0 {
		out = s.portal.create(inputs, s.o.Now())
	}
	s.mu.Unlock()
	if status != 0 {
		s.fail(w, status, category, msg)
		return
	}
	s.write(w, http.StatusCreated, out)
}

// checkCreate refuses a batch with an invalid or existing email.
func (p *portal) checkCreate(inputs []map[string]string) (int, string, string) {
	seen := map[string]bool{}
	for _, in := range inputs {
		email := strings.ToLower(in["email"])
		if !validEmail(email) {
			return http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf(`Property values were not valid: [{"isValid":false,"message":"Email address %s is invalid","error":"INVALID_EMAIL","name":"email"}]`, email)
		}
		if p.byEmail(email) != nil || seen[email] {
			return http.StatusConflict, "CONFLICT", "Contact already exists. Existing email: " + email
		}
		seen[email] = true
	}
	return 0, "", ""
}

func (p *portal) create(inputs []map[string]string, now time.Time) batchResult {
	at := now.UTC().Format(timeFormat)
	out := batchResult{Status: "COMPLETE", Results: []wireObject{}, StartedAt: at, CompletedAt: at}
	for _, in := range inputs {
		t := p.stamp()
		o := p.insert(Contacts, t, t)
		for k := range o.props {
			if k != "hs_object_id" && k != "createdate" && k != "lastmodifieddate" {
				o.props[k] = nil
			}
		}
		keys := make([]string, 0, len(in))
		for k, v := range in {
			o.props[k] = str(v)
			keys = append(keys, k)
		}
		slices.Sort(keys)
		o.props["email"] = str(strings.ToLower(in["email"]))
		out.Results = append(out.Results, wire(Contacts, o, keys))
	}
	return out
}

// validEmail is HubSpot's check: one @, a dot in the domain, no spaces,
// and a domain that can exist (the reserved .invalid TLD cannot).
func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(e, " ,;<>") &&
		!strings.HasSuffix(domain, ".invalid") &&
		!strings.Contains(domain, "@") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}
