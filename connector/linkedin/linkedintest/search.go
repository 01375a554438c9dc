package linkedintest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Paging limits of the cursor finders: searches take up to 1,000 a page,
// the creatives criteria finder 100.
const (
	defaultPageSize  = 100
	maxPageSize      = 1000
	maxCreativesPage = 100
)

// page is one cursor page of a search finder.
type page struct {
	Elements []any          `json:"elements"`
	Metadata map[string]any `json:"metadata"`
	Paging   map[string]any `json:"paging"`
}

// cursorPage cuts a page of ids (sorted ascending) after the token's
// position. A full page gets a nextPageToken even when nothing follows, so
// a client meets the empty last page LinkedIn sends.
func cursorPage(q map[string]string, ids []int64, limit int) ([]int64, map[string]any, error) {
	size := defaultPageSize
	if raw, ok := q["pageSize"]; ok {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > limit {
			return nil, nil, fmt.Errorf("pageSize must be between 1 and %d, got %q", limit, raw)
		}
		size = n
	}
	after := int64(0)
	if raw, ok := q["pageToken"]; ok {
		tok, err := leafParam(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("pageToken: %w", err)
		}
		if after, err = decodeToken(tok); err != nil {
			return nil, nil, err
		}
	}
	i, _ := slices.BinarySearch(ids, after+1)
	end := min(i+size, len(ids))
	out := ids[i:end]
	meta := map[string]any{}
	if len(out) == size {
		meta["nextPageToken"] = encodeToken(out[len(out)-1])
	}
	return out, meta, nil
}

func encodeToken(after int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("after=" + strconv.FormatInt(after, 10)))
}

func decodeToken(tok string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	rest, ok := strings.CutPrefix(string(b), "after=")
	n, perr := strconv.ParseInt(rest, 10, 64)
	if err != nil || !ok || perr != nil {
		return 0, fmt.Errorf("invalid pageToken %q", tok)
	}
	return n, nil
}

// searchFilter reads search=(status:(values:List(...)),id:(values:List(...))).
type searchFilter struct {
	statuses map[string]bool
	ids      map[string]bool
}

func parseSearch(q map[string]string) (searchFilter, error) {
	var f searchFilter
	raw, ok := q["search"]
	if !ok {
		return f, nil
	}
	v, err := ParseValue(raw)
	if err != nil {
		return f, fmt.Errorf("search: %w", err)
	}
	if _, isRec := v.(Record); !isRec {
		return f, fmt.Errorf("search: %w: want (field:(values:List(...)))", errSyntax)
	}
	for key, dst := range map[string]*map[string]bool{"status": &f.statuses, "id": &f.ids} {
		vals, err := stringsIn(v, key, "values")
		if err != nil {
			return f, fmt.Errorf("search: %w", err)
		}
		if vals != nil {
			*dst = map[string]bool{}
			for _, s := range vals {
				(*dst)[s] = true
			}
		}
	}
	return f, nil
}

func (f searchFilter) match(id int64, status string) bool {
	return (f.statuses == nil || f.statuses[status]) && (f.ids == nil || f.ids[strconv.FormatInt(id, 10)])
}

func requireFinder(q map[string]string, want string) error {
	got, err := leafParam(q["q"])
	if err != nil || got != want {
		return fmt.Errorf("finder q=%s is required here", want)
	}
	return nil
}

func badRequest(msg string) (any, int) {
	return errorBody{Status: 400, Code: "ILLEGAL_ARGUMENT", Message: msg}, http.StatusBadRequest
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func audit(created, modified time.Time) map[string]any {
	return map[string]any{"created": map[string]any{"time": ms(created)}, "lastModified": map[string]any{"time": ms(modified)}}
}

func money(minor int64, currency string) map[string]any {
	return map[string]any{"amount": fmt.Sprintf("%d.%02d", minor/100, minor%100), "currencyCode": currency}
}

func (s *Server) searchAccounts(_ http.ResponseWriter, _ *http.Request, q map[string]string, _ string) (any, int) {
	if err := requireFinder(q, "search"); err != nil {
		return badRequest(err.Error())
	}
	f, err := parseSearch(q)
	if err != nil {
		return badRequest(err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	byID := map[int64]*account{}
	var ids []int64
	for _, a := range s.data.accounts {
		if f.match(a.ID, a.Status) {
			byID[a.ID] = a
			ids = append(ids, a.ID)
		}
	}
	got, meta, err := cursorPage(q, ids, maxPageSize)
	if err != nil {
		return badRequest(err.Error())
	}
	out := page{Elements: []any{}, Metadata: meta, Paging: map[string]any{"start": 0, "count": len(got)}}
	for _, id := range got {
		a := byID[id]
		out.Elements = append(out.Elements, map[string]any{"id": a.ID, "name": a.Name, "currency": a.Currency,
			"status": a.Status, "type": "BUSINESS", "test": false, "reference": "urn:li:organization:" + strconv.FormatInt(a.ID%100000, 10),
			"servingStatuses": []string{"RUNNABLE"}, "changeAuditStamps": audit(a.Created, a.Modified),
			"notifiedOnCampaignOptimization": true, "version": map[string]any{"versionTag": "1"}})
	}
	return out, http.StatusOK
}

// accountOf reads the {account} path segment: a numeric ID the token's
// member can see.
func (s *Server) accountOf(r *http.Request) (*account, bool) {
	id, err := strconv.ParseInt(r.PathValue("account"), 10, 64)
	if err != nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.data.account(id)
	return a, a != nil
}

func notFound(what string) (any, int) {
	return errorBody{Status: 404, Code: "NOT_FOUND", Message: what + " not found"}, http.StatusNotFound
}

func (s *Server) searchGroups(_ http.ResponseWriter, r *http.Request, q map[string]string, _ string) (any, int) {
	acc, ok := s.accountOf(r)
	if !ok {
		return notFound("Ad account " + r.PathValue("account"))
	}
	if err := requireFinder(q, "search"); err != nil {
		return badRequest(err.Error())
	}
	f, err := parseSearch(q)
	if err != nil {
		return badRequest(err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	byID := map[int64]*group{}
	var ids []int64
	for _, g := range s.data.groups {
		if g.Account == acc.ID && f.match(g.ID, g.Status) {
			byID[g.ID] = g
			ids = append(ids, g.ID)
		}
	}
	got, meta, err := cursorPage(q, ids, maxPageSize)
	if err != nil {
		return badRequest(err.Error())
	}
	out := page{Elements: []any{}, Metadata: meta}
	for _, id := range got {
		g := byID[id]
		out.Elements = append(out.Elements, map[string]any{"id": g.ID, "account": accountURN(g.Account), "name": g.Name,
			"status": g.Status, "test": false, "totalBudget": money(g.BudgetMinor, acc.Currency),
			"runSchedule": map[string]any{"start": ms(g.Created)}, "servingStatuses": []string{"RUNNABLE"},
			"changeAuditStamps": audit(g.Created, g.Modified)})
	}
	return out, http.StatusOK
}

func accountURN(id int64) string { return "urn:li:sponsoredAccount:" + strconv.FormatInt(id, 10) }

func (s *Server) searchCampaigns(_ http.ResponseWriter, r *http.Request, q map[string]string, _ string) (any, int) {
	acc, ok := s.accountOf(r)
	if !ok {
		return notFound("Ad account " + r.PathValue("account"))
	}
	if err := requireFinder(q, "search"); err != nil {
		return badRequest(err.Error())
	}
	f, err := parseSearch(q)
	if err != nil {
		return badRequest(err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	byID := map[int64]*campaign{}
	var ids []int64
	for _, c := range s.data.campaigns {
		if c.Account == acc.ID && f.match(c.ID, c.Status) {
			byID[c.ID] = c
			ids = append(ids, c.ID)
		}
	}
	got, meta, err := cursorPage(q, ids, maxPageSize)
	if err != nil {
		return badRequest(err.Error())
	}
	out := page{Elements: []any{}, Metadata: meta}
	for _, id := range got {
		out.Elements = append(out.Elements, campaignJSON(byID[id], acc.Currency))
	}
	return out, http.StatusOK
}

func campaignJSON(c *campaign, currency string) map[string]any {
	return map[string]any{"id": c.ID, "account": accountURN(c.Account),
		"campaignGroup": "urn:li:sponsoredCampaignGroup:" + strconv.FormatInt(c.Group, 10),
		"name":          c.Name, "status": c.Status, "type": c.Type, "costType": c.CostType,
		"dailyBudget": money(c.DailyBudgetMinor, currency), "unitCost": money(c.DailyBudgetMinor/100, currency),
		"objectiveType": "WEBSITE_VISIT", "locale": map[string]any{"country": "US", "language": "en"},
		"runSchedule": map[string]any{"start": ms(c.Start)}, "test": false,
		"changeAuditStamps": audit(c.Created, c.Modified), "version": map[string]any{"versionTag": "2"}}
}

var urnCampaign = regexp.MustCompile(`^urn:li:sponsoredCampaign:(\d+)$`)

func (s *Server) searchCreatives(_ http.ResponseWriter, r *http.Request, q map[string]string, _ string) (any, int) {
	acc, ok := s.accountOf(r)
	if !ok {
		return notFound("Ad account " + r.PathValue("account"))
	}
	if err := requireFinder(q, "criteria"); err != nil {
		return badRequest(err.Error())
	}
	var only map[string]bool
	if raw, ok := q["campaigns"]; ok {
		ids, err := urnList(raw, urnCampaign)
		if err != nil {
			return badRequest("campaigns: " + err.Error())
		}
		only = map[string]bool{}
		for _, id := range ids {
			only[id] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	byID := map[int64]*creative{}
	var ids []int64
	for _, c := range s.data.creatives {
		if c.Account == acc.ID && (only == nil || only[strconv.FormatInt(c.Campaign, 10)]) {
			byID[c.ID] = c
			ids = append(ids, c.ID)
		}
	}
	got, meta, err := cursorPage(q, ids, maxCreativesPage)
	if err != nil {
		return badRequest(err.Error())
	}
	out := page{Elements: []any{}, Metadata: meta}
	for _, id := range got {
		out.Elements = append(out.Elements, creativeJSON(byID[id]))
	}
	return out, http.StatusOK
}

func creativeJSON(c *creative) map[string]any {
	content := map[string]any{"reference": shareURN(c.Share)}
	if c.Share == 0 {
		content = map[string]any{"textAd": map[string]any{"headline": c.Headline, "description": c.Description, "landingPage": c.Landing}}
	}
	return map[string]any{"id": "urn:li:sponsoredCreative:" + strconv.FormatInt(c.ID, 10), "account": accountURN(c.Account),
		"campaign": "urn:li:sponsoredCampaign:" + strconv.FormatInt(c.Campaign, 10), "name": c.Name,
		"intendedStatus": c.Status, "isServing": c.Status == "ACTIVE", "isTest": false, "content": content,
		"createdAt": ms(c.Created), "lastModifiedAt": ms(c.Modified),
		"createdBy": "urn:li:person:fakeMember1", "lastModifiedBy": "urn:li:person:fakeMember1"}
}

func shareURN(id int64) string { return "urn:li:share:" + strconv.FormatInt(id, 10) }

var urnShare = regexp.MustCompile(`^urn:li:share:(\d+)$`)

// batchGetPosts is GET /rest/posts?ids=List(urn%3Ali%3Ashare%3A1,...).
func (s *Server) batchGetPosts(_ http.ResponseWriter, _ *http.Request, q map[string]string, _ string) (any, int) {
	raw, ok := q["ids"]
	if !ok {
		return badRequest("ids=List(...) is required")
	}
	ids, err := urnList(raw, urnShare)
	if err != nil {
		return badRequest("ids: " + err.Error())
	}
	if len(ids) > 100 {
		return badRequest("at most 100 ids per BATCH_GET")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	results, statuses, errs := map[string]any{}, map[string]int{}, map[string]any{}
	for _, raw := range ids {
		id, _ := strconv.ParseInt(raw, 10, 64)
		urn := shareURN(id)
		p, ok := s.data.posts[id]
		if !ok {
			statuses[urn] = 404
			errs[urn] = errorBody{Status: 404, Code: "NOT_FOUND", Message: "Post not found"}
			continue
		}
		statuses[urn] = 200
		results[urn] = map[string]any{"id": urn, "author": "urn:li:organization:1", "commentary": p.Commentary,
			"visibility": "PUBLIC", "lifecycleState": "PUBLISHED", "isReshareDisabledByAuthor": false,
			"content":   map[string]any{"article": map[string]any{"source": p.Landing, "title": p.Title, "description": p.Description}},
			"adContext": map[string]any{"dscStatus": "ACTIVE"}}
	}
	return map[string]any{"results": results, "statuses": statuses, "errors": errs}, http.StatusOK
}
