package hubspottest

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ContactObjectTypeID is HubSpot's object type ID of contacts.
const ContactObjectTypeID = "0-1"

// list is a HubSpot list (segment) of contacts.
type list struct {
	id             string
	name           string
	processingType string
	members        map[int64]bool
	created        time.Time
	updated        time.Time
}

type wireList struct {
	ListID         string `json:"listId"`
	Name           string `json:"name"`
	ObjectTypeID   string `json:"objectTypeId"`
	ProcessingType string `json:"processingType"`
	ListVersion    int    `json:"listVersion"`
	CreatedAt      string `json:"createdAt"`
	UpdatedAt      string `json:"updatedAt"`
	Size           int    `json:"size"`
}

func (l *list) wire() map[string]wireList {
	return map[string]wireList{"list": {ListID: l.id, Name: l.name, ObjectTypeID: ContactObjectTypeID,
		ProcessingType: l.processingType, ListVersion: 1, CreatedAt: l.created.UTC().Format(timeFormat),
		UpdatedAt: l.updated.UTC().Format(timeFormat), Size: len(l.members)}}
}

func (p *portal) findList(idOrName string) *list {
	for _, l := range p.lists {
		if l.id == idOrName || strings.EqualFold(l.name, idOrName) {
			return l
		}
	}
	return nil
}

// AddList creates a list directly, e.g. a DYNAMIC one the API must not
// change, and returns its ID.
func (s *Server) AddList(name, processingType string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.portal.newList(name, processingType, s.o.Now()).id
}

func (p *portal) newList(name, processingType string, now time.Time) *list {
	l := &list{id: strconv.Itoa(p.nextList), name: name, processingType: processingType, members: map[int64]bool{},
		created: now, updated: now}
	p.nextList++
	p.lists = append(p.lists, l)
	return l
}

// Audience returns the lower-case emails of the members of the list named
// or ID'd destination (nil when there is no such list).
func (s *Server) Audience(destination string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.portal.findList(destination)
	if l == nil {
		return nil
	}
	return s.portal.emails(l.members)
}

// Lists returns how many lists the portal has.
func (s *Server) Lists() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.portal.lists)
}

// createList is POST /crm/v3/lists.
func (s *Server) createList(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name           string         `json:"name"`
		ObjectTypeID   string         `json:"objectTypeId"`
		ProcessingType string         `json:"processingType"`
		FilterBranch   map[string]any `json:"filterBranch,omitempty"`
	}
	if !s.decode(w, r, &req) {
		return
	}
	switch {
	case strings.TrimSpace(req.Name) == "":
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "name is required")
		return
	case req.ObjectTypeID != ContactObjectTypeID:
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "the fake serves contact lists (objectTypeId 0-1) only")
		return
	case req.ProcessingType != "MANUAL" && req.ProcessingType != "SNAPSHOT" && req.ProcessingType != "DYNAMIC":
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "processingType must be MANUAL, SNAPSHOT or DYNAMIC")
		return
	}
	s.mu.Lock()
	exists := s.portal.findList(req.Name) != nil
	var l *list
	if !exists {
		l = s.portal.newList(req.Name, req.ProcessingType, s.o.Now())
	}
	s.mu.Unlock()
	if exists {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("A list with the name %q already exists.", req.Name))
		return
	}
	s.write(w, http.StatusOK, l.wire())
}

// getList is GET /crm/v3/lists/{listId}.
func (s *Server) getList(w http.ResponseWriter, r *http.Request) {
	s.answerList(w, r.PathValue("listId"), func(l *list, id string) bool { return l.id == id },
		"List does not exist with listId "+r.PathValue("listId"))
}

// getListByName is GET /crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}.
func (s *Server) getListByName(w http.ResponseWriter, r *http.Request) {
	name, err := url.PathUnescape(r.PathValue("listName"))
	if err != nil || r.PathValue("objectTypeId") != ContactObjectTypeID {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", "bad object type or list name")
		return
	}
	s.answerList(w, name, func(l *list, n string) bool { return strings.EqualFold(l.name, n) },
		"List does not exist with name "+name)
}

func (s *Server) answerList(w http.ResponseWriter, key string, match func(*list, string) bool, missing string) {
	s.mu.Lock()
	var found map[string]wireList
	for _, l := range s.portal.lists {
		if match(l, key) {
			found = l.wire()
			break
		}
	}
	s.mu.Unlock()
	if found == nil {
		s.fail(w, http.StatusNotFound, "OBJECT_NOT_FOUND", missing)
		return
	}
	s.write(w, http.StatusOK, found)
}

// changeMemberships is PUT /crm/v3/lists/{listId}/memberships/add and
// …/remove with a JSON array of record IDs. Records that do not exist are
// reported missing; adding a member or removing a non-member is a no-op.
func (s *Server) changeMemberships(w http.ResponseWriter, r *http.Request) {
	op := r.PathValue("op")
	if op != "add" && op != "remove" {
		s.fail(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "no such endpoint: memberships/"+op)
		return
	}
	var ids []string
	if !s.decode(w, r, &ids) {
		return
	}
	if len(ids) > MaxMembershipIDs {
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("at most %d record IDs per request", MaxMembershipIDs))
		return
	}
	s.mu.Lock()
	l := s.portal.findList(r.PathValue("listId"))
	if l == nil || l.id != r.PathValue("listId") {
		s.mu.Unlock()
		s.fail(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "List does not exist with listId "+r.PathValue("listId"))
		return
	}
	if l.processingType == "DYNAMIC" {
		s.mu.Unlock()
		s.fail(w, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("List %s has processingType DYNAMIC; memberships can only be changed for MANUAL or SNAPSHOT lists.", l.id))
		return
	}
	changed, missing := s.portal.apply(l, op == "add", ids)
	l.updated = s.o.Now()
	s.mu.Unlock()
	key := "recordIdsAdded"
	if op == "remove" {
		key = "recordIdsRemoved"
	}
	s.write(w, http.StatusOK, map[string][]string{key: changed, "recordIdsMissing": missing})
}

func (p *portal) apply(l *list, add bool, ids []string) (changed, missing []string) {
	changed, missing = []string{}, []string{}
	for _, raw := range ids {
		id, err := strconv.ParseInt(raw, 10, 64)
		o := p.byID[Contacts][id]
		if err != nil || o == nil || o.archived {
			missing = append(missing, raw)
			continue
		}
		if l.members[id] != add {
			changed = append(changed, raw)
		}
		if add {
			l.members[id] = true
		} else {
			delete(l.members, id)
		}
	}
	return changed, missing
}
