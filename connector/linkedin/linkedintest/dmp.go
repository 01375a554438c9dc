package linkedintest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SegmentReadyAfter is how long after its creation a DMP segment accepts
// users; LinkedIn asks clients to wait about 5 seconds.
const SegmentReadyAfter = 5 * time.Second

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// findSegments is GET /rest/dmpSegments?q=account&account=urn...&start&count.
// Without start and count LinkedIn returns every segment of the account.
func (s *Server) findSegments(_ http.ResponseWriter, _ *http.Request, q map[string]string, _ string) (any, int) {
	if err := requireFinder(q, "account"); err != nil {
		return badRequest(err.Error())
	}
	urn, err := leafParam(q["account"])
	m := urnAccount.FindStringSubmatch(urn)
	if err != nil || m == nil {
		return badRequest(fmt.Sprintf("account must be an encoded urn:li:sponsoredAccount URN, got %q", q["account"]))
	}
	start, count, err := offsetParams(q)
	if err != nil {
		return badRequest(err.Error())
	}
	acc, _ := strconv.ParseInt(m[1], 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*segment
	for _, sg := range s.data.segments {
		if sg.Account == acc {
			all = append(all, sg)
		}
	}
	if count < 0 {
		count = len(all)
	}
	out := []any{}
	for i := start; i < len(all) && i < start+count; i++ {
		out = append(out, segmentJSON(all[i]))
	}
	return map[string]any{"elements": out, "paging": map[string]any{"start": start, "count": count, "total": len(all), "links": []any{}}}, http.StatusOK
}

// offsetParams reads start and count; count is -1 when neither is given.
func offsetParams(q map[string]string) (start, count int, err error) {
	_, hasStart := q["start"]
	_, hasCount := q["count"]
	if !hasStart && !hasCount {
		return 0, -1, nil
	}
	count = 10
	if hasStart {
		if start, err = strconv.Atoi(q["start"]); err != nil || start < 0 {
			return 0, 0, fmt.Errorf("start must be a non-negative integer, got %q", q["start"])
		}
	}
	if hasCount {
		if count, err = strconv.Atoi(q["count"]); err != nil || count < 1 || count > 1000 {
			return 0, 0, fmt.Errorf("count must be between 1 and 1000, got %q", q["count"])
		}
	}
	return start, count, nil
}

func segmentJSON(sg *segment) map[string]any {
	n := len(sg.Members)
	status := "READY"
	if n < 300 {
		status = "BUILDING" // too few matched members to target yet
	}
	return map[string]any{"id": sg.ID, "name": sg.Name, "account": accountURN(sg.Account), "type": sg.Type,
		"accessPolicy": "PRIVATE", "sourcePlatform": sg.Source, "created": ms(sg.Created), "lastModified": ms(sg.Modified),
		"inputCount":   n,
		"destinations": []any{map[string]any{"destination": "LINKEDIN", "status": status, "audienceSize": n, "matchedCount": n}}}
}

type newSegment struct {
	Name           string `json:"name"`
	SourcePlatform string `json:"sourcePlatform"`
	Account        string `json:"account"`
	AccessPolicy   string `json:"accessPolicy"`
	Type           string `json:"type"`
	Destinations   []struct {
		Destination string `json:"destination"`
	} `json:"destinations"`
}

// createSegment is POST /rest/dmpSegments; the new ID comes back in the
// x-restli-id header of a 201 with no body.
func (s *Server) createSegment(w http.ResponseWriter, r *http.Request, _ map[string]string, _ string) (any, int) {
	var in newSegment
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return badRequest("malformed DmpSegment: " + err.Error())
	}
	m := urnAccount.FindStringSubmatch(in.Account)
	switch {
	case strings.TrimSpace(in.Name) == "":
		return unprocessable("/name", "name is required")
	case m == nil:
		return unprocessable("/account", "account must be a urn:li:sponsoredAccount URN")
	case in.SourcePlatform == "":
		return unprocessable("/sourcePlatform", "sourcePlatform is required")
	case in.Type != "USER" && in.Type != "COMPANY":
		return unprocessable("/type", "type must be USER or COMPANY")
	case len(in.Destinations) != 1 || in.Destinations[0].Destination != "LINKEDIN":
		return unprocessable("/destinations", "destinations must be [{destination: LINKEDIN}]")
	}
	acc, _ := strconv.ParseInt(m[1], 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data.account(acc) == nil {
		return notFound("Ad account " + m[1])
	}
	sg := s.data.addSegment(acc, in.Name, in.SourcePlatform, s.now())
	id := strconv.FormatInt(sg.ID, 10)
	w.Header().Set("x-restli-id", id)
	w.Header().Set("Location", "/dmpSegments/"+id)
	w.WriteHeader(http.StatusCreated)
	return nil, http.StatusCreated
}

func unprocessable(field, msg string) (any, int) {
	return map[string]any{"status": 422, "code": "UNPROCESSABLE_ENTITY", "message": msg,
			"errorDetails": map[string]any{"inputErrors": []any{map[string]any{"description": msg,
				"input": map[string]any{"inputPath": map[string]any{"fieldPath": field}}, "code": "FIELD_VALUE_INVALID"}}}},
		http.StatusUnprocessableEntity
}

type userElement struct {
	Action  string `json:"action"`
	UserIDs []struct {
		IDType  string `json:"idType"`
		IDValue string `json:"idValue"`
	} `json:"userIds"`
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
}

// streamUsers is POST /rest/dmpSegments/{id}/users with X-RestLi-Method:
// BATCH_CREATE. Each element is answered on its own: a bad one gets a 400
// status in its slot while the others apply.
func (s *Server) streamUsers(_ http.ResponseWriter, r *http.Request, _ map[string]string, _ string) (any, int) {
	if r.Header.Get("X-RestLi-Method") != "BATCH_CREATE" {
		return badRequest("X-RestLi-Method: BATCH_CREATE is required")
	}
	var in struct {
		Elements []userElement `json:"elements"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return badRequest("malformed batch: " + err.Error())
	}
	if len(in.Elements) == 0 || len(in.Elements) > MaxUserBatch {
		return badRequest(fmt.Sprintf("a batch holds 1 to %d elements, got %d", MaxUserBatch, len(in.Elements)))
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	sg := s.segment(id)
	if sg == nil || s.now().Sub(sg.Created) < SegmentReadyAfter {
		return notFound("DmpSegment " + r.PathValue("id"))
	}
	out := make([]any, len(in.Elements))
	for i, e := range in.Elements {
		out[i] = s.applyUser(sg, e)
	}
	sg.Modified = s.now()
	return map[string]any{"elements": out}, http.StatusOK
}

func (s *Server) segment(id int64) *segment {
	for _, sg := range s.data.segments {
		if sg.ID == id {
			return sg
		}
	}
	return nil
}

func (s *Server) applyUser(sg *segment, e userElement) map[string]any {
	bad := func(msg string) map[string]any {
		return map[string]any{"status": 400, "error": errorBody{Status: 400, Code: "INVALID_INPUT", Message: msg}}
	}
	if e.Action != "ADD" && e.Action != "REMOVE" {
		return bad("action must be ADD or REMOVE")
	}
	if len(e.UserIDs) == 0 {
		return bad("userIds must not be empty")
	}
	for _, u := range e.UserIDs {
		if u.IDType != "SHA256_EMAIL" || !sha256Hex.MatchString(u.IDValue) {
			return bad(fmt.Sprintf("idValue of %s must be a lower-case hex SHA-256", u.IDType))
		}
		if s.rejected[u.IDValue] {
			return bad("the member cannot be added to this segment")
		}
	}
	for _, u := range e.UserIDs {
		if e.Action == "ADD" {
			sg.Members[u.IDValue] = true
		} else {
			delete(sg.Members, u.IDValue)
		}
	}
	return map[string]any{"status": 201}
}

// RejectUsers makes the fake refuse these hashes in their batch slot, as
// LinkedIn refuses single elements of a BATCH_CREATE.
func (s *Server) RejectUsers(hashes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rejected == nil {
		s.rejected = map[string]bool{}
	}
	for _, h := range hashes {
		s.rejected[h] = true
	}
}

// Audience returns the SHA-256 hashes held by the DMP segment whose name or
// numeric ID is destination, sorted; nil when there is none.
func (s *Server) Audience(destination string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sg := range s.data.segments {
		if sg.Name == destination || strconv.FormatInt(sg.ID, 10) == destination {
			out := make([]string, 0, len(sg.Members))
			for h := range sg.Members {
				out = append(out, h)
			}
			slices.Sort(out)
			return out
		}
	}
	return nil
}
