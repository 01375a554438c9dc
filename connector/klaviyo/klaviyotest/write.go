package klaviyotest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Published caps of the write endpoints.
const (
	MaxListMembers = 1000            // profiles per add/remove call
	MaxImport      = 10000           // profiles per bulk import job
	MaxImportBytes = 5 * 1024 * 1024 // bulk import payload
)

func sortStable[T any](s []T, less func(a, b T) bool) {
	sort.SliceStable(s, func(i, j int) bool { return less(s[i], s[j]) })
}

// readBody decodes a JSON:API body, answering 400 when it is not JSON.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, v any) bool {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		invalid(w, "Could not read the request body.", nil)
		return false
	}
	if int64(len(b)) > limit {
		writeErr(w, http.StatusRequestEntityTooLarge, "request_too_large", "Request entity too large.",
			fmt.Sprintf("The payload exceeds the maximum allowed size of %d bytes.", limit), nil)
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		writeErr(w, http.StatusBadRequest, "parse_error", "Malformed request.", "JSON parse error - "+err.Error(), nil)
		return false
	}
	return true
}

func (s *Server) createList(w http.ResponseWriter, r *http.Request, _ string) {
	var body struct {
		Data *struct {
			Type       string `json:"type"`
			Attributes struct {
				Name         *string `json:"name"`
				OptInProcess string  `json:"opt_in_process"`
			} `json:"attributes"`
		} `json:"data"`
	}
	if !readBody(w, r, 1<<20, &body) {
		return
	}
	switch {
	case body.Data == nil:
		invalid(w, "'data' is a required field.", map[string]string{"pointer": "/data"})
		return
	case body.Data.Type != "list":
		writeErr(w, http.StatusConflict, "conflict", "Conflict.", "The type '"+body.Data.Type+"' does not match the endpoint's type 'list'.",
			map[string]string{"pointer": "/data/type"})
		return
	case body.Data.Attributes.Name == nil || strings.TrimSpace(*body.Data.Attributes.Name) == "":
		invalid(w, "'name' is a required field.", map[string]string{"pointer": "/data/attributes/name"})
		return
	}
	l := s.acct.newList(*body.Data.Attributes.Name, s.acct.tick(s.o.Now().UTC().Truncate(time.Second)))
	if v := body.Data.Attributes.OptInProcess; v == "double_opt_in" || v == "single_opt_in" {
		l.optIn = v
	}
	writeJSON(w, http.StatusCreated, map[string]any{"data": listRes(r, l), "links": resLinks(r, "lists", l.id)})
}

func (s *Server) getList(w http.ResponseWriter, r *http.Request, id string) {
	for _, l := range s.acct.lists {
		if l.id == id {
			writeJSON(w, http.StatusOK, map[string]any{"data": listRes(r, l), "links": resLinks(r, "lists", l.id)})
			return
		}
	}
	writeErr(w, http.StatusNotFound, "not_found", "Not found.", "A list with id "+id+" does not exist.", nil)
}

func (s *Server) listByID(w http.ResponseWriter, id string) *list {
	for _, l := range s.acct.lists {
		if l.id == id {
			return l
		}
	}
	writeErr(w, http.StatusNotFound, "not_found", "Not found.", "A list with id "+id+" does not exist.", nil)
	return nil
}

type resourceID struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// changeMembers adds (POST) or removes (DELETE) profiles of a list.
func (s *Server) changeMembers(w http.ResponseWriter, r *http.Request, id string) {
	l := s.listByID(w, id)
	if l == nil {
		return
	}
	var body struct {
		Data []resourceID `json:"data"`
	}
	if !readBody(w, r, 1<<20, &body) {
		return
	}
	if len(body.Data) == 0 {
		invalid(w, "'data' must contain at least one profile.", map[string]string{"pointer": "/data"})
		return
	}
	if len(body.Data) > MaxListMembers {
		invalid(w, fmt.Sprintf("This endpoint accepts a maximum of %d profiles per call.", MaxListMembers), map[string]string{"pointer": "/data"})
		return
	}
	for i, d := range body.Data {
		ptr := map[string]string{"pointer": "/data/" + strconv.Itoa(i) + "/id"}
		if d.Type != "profile" {
			invalid(w, "'"+d.Type+"' is not a valid type; expected 'profile'.", map[string]string{"pointer": "/data/" + strconv.Itoa(i) + "/type"})
			return
		}
		if s.acct.profileByID[d.ID] == nil {
			invalid(w, "Profile "+d.ID+" does not exist.", ptr)
			return
		}
	}
	for _, d := range body.Data {
		if r.Method == http.MethodPost {
			l.members[d.ID] = true
		} else {
			delete(l.members, d.ID)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

var (
	emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	e164Re  = regexp.MustCompile(`^\+[1-9]\d{6,14}$`)
)

type importProfile struct {
	Type       string `json:"type"`
	Attributes struct {
		Email       string `json:"email"`
		PhoneNumber string `json:"phone_number"`
		ExternalID  string `json:"external_id"`
		FirstName   string `json:"first_name"`
		LastName    string `json:"last_name"`
	} `json:"attributes"`
}

func (s *Server) createJob(w http.ResponseWriter, r *http.Request, _ string) {
	var body struct {
		Data *struct {
			Type       string `json:"type"`
			Attributes struct {
				Profiles struct {
					Data []json.RawMessage `json:"data"`
				} `json:"profiles"`
			} `json:"attributes"`
			Relationships struct {
				Lists struct {
					Data []resourceID `json:"data"`
				} `json:"lists"`
			} `json:"relationships"`
		} `json:"data"`
	}
	if !readBody(w, r, MaxImportBytes, &body) {
		return
	}
	if body.Data == nil || body.Data.Type != "profile-bulk-import-job" {
		invalid(w, "'data.type' must be 'profile-bulk-import-job'.", map[string]string{"pointer": "/data/type"})
		return
	}
	profiles := body.Data.Attributes.Profiles.Data
	if len(profiles) == 0 || len(profiles) > MaxImport {
		invalid(w, fmt.Sprintf("A bulk import accepts between 1 and %d profiles.", MaxImport), map[string]string{"pointer": "/data/attributes/profiles/data"})
		return
	}
	var lists []string
	for i, d := range body.Data.Relationships.Lists.Data {
		if d.Type != "list" || s.acct.findList(d.ID) == nil || s.acct.findList(d.ID).id != d.ID {
			invalid(w, "List "+d.ID+" does not exist.", map[string]string{"pointer": fmt.Sprintf("/data/relationships/lists/data/%d/id", i)})
			return
		}
		lists = append(lists, d.ID)
	}
	s.acct.seq++
	j := &job{id: ulid("IJ", s.acct.seq), status: "queued", total: len(profiles), created: s.o.Now().UTC(), lists: lists}
	j.pending = profiles
	s.acct.jobs[j.id] = j
	writeJSON(w, http.StatusAccepted, map[string]any{"data": jobRes(r, j)})
}

// run imports a job's profiles: invalid ones become import errors, valid
// ones are upserted by email (or phone) and added to the job's lists.
func (s *Server) run(j *job) {
	for i, raw := range j.pending {
		var p importProfile
		var orig map[string]any
		_ = json.Unmarshal(raw, &orig)
		err := json.Unmarshal(raw, &p)
		a := p.Attributes
		ptr := fmt.Sprintf("/data/attributes/profiles/data/%d", i)
		switch {
		case err != nil || p.Type != "profile":
			j.fail(ptr, "invalid", "The profile must be a JSON:API resource of type 'profile'.", orig)
		case a.Email == "" && a.PhoneNumber == "" && a.ExternalID == "":
			j.fail(ptr, "invalid", "A profile needs an email, phone_number or external_id.", orig)
		case a.Email != "" && !emailRe.MatchString(a.Email):
			j.fail(ptr+"/attributes/email", "invalid", "Invalid email address.", orig)
		case a.PhoneNumber != "" && !e164Re.MatchString(a.PhoneNumber):
			j.fail(ptr+"/attributes/phone_number", "invalid", "Invalid phone number format (Example of a valid format: +12345678901).", orig)
		default:
			pr := s.acct.upsert(a.Email, a.PhoneNumber, a.FirstName, a.LastName, a.ExternalID)
			for _, id := range j.lists {
				s.acct.findList(id).members[pr.id] = true
			}
			j.completed++
		}
	}
	j.pending = nil
	s.acct.sortProfiles()
	now := s.o.Now().UTC()
	j.status, j.completedAt = "complete", &now
}

func (j *job) fail(ptr, code, detail string, orig map[string]any) {
	j.fails++
	j.errors = append(j.errors, importError{code: code, title: "Invalid input.", detail: detail, pointer: ptr, payload: orig})
}

func jobRes(r *http.Request, j *job) map[string]any {
	var done any
	if j.completedAt != nil {
		done = j.completedAt.Format(time.RFC3339)
	}
	return map[string]any{"type": "profile-bulk-import-job", "id": j.id,
		"attributes": map[string]any{"status": j.status, "created_at": j.created.Format(time.RFC3339), "total_count": j.total,
			"completed_count": j.completed, "failed_count": j.fails, "completed_at": done, "expires_at": nil, "started_at": nil},
		"links": resLinks(r, "profile-bulk-import-jobs", j.id)}
}

func (s *Server) getJob(w http.ResponseWriter, r *http.Request, id string) {
	j := s.acct.jobs[id]
	if j == nil {
		writeErr(w, http.StatusNotFound, "not_found", "Not found.", "A job with id "+id+" does not exist.", nil)
		return
	}
	if j.status != "complete" {
		j.polls++
		if j.polls > s.o.JobPolls {
			s.run(j)
		} else {
			j.status = "processing"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": jobRes(r, j)})
}

func (s *Server) getJobErrors(w http.ResponseWriter, r *http.Request, id string) {
	j := s.acct.jobs[id]
	if j == nil {
		writeErr(w, http.StatusNotFound, "not_found", "Not found.", "A job with id "+id+" does not exist.", nil)
		return
	}
	errs := j.errors
	sq := seq{n: len(errs), at: func(i int) item {
		e := errs[i]
		eid := fmt.Sprintf("%s-%06d", j.id, i)
		return item{key: eid, id: eid, ref: e, res: func() map[string]any {
			return map[string]any{"type": "import-error", "id": eid, "attributes": map[string]any{
				"code": e.code, "title": e.title, "detail": e.detail, "source": map[string]any{"pointer": e.pointer},
				"original_payload": e.payload}}
		}}
	}}
	s.paginate(w, r, sq, nil, pageSpec{def: 20, max: 100}, nil)
}
