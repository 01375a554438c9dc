package klaviyo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
)

// Batch sizes, the spec's published maximums.
const (
	// MaxListChange is add_profiles_to_list's and
	// remove_profiles_from_list's limit: 1000 profile IDs per call.
	MaxListChange = 1000
	// MaxImport is bulk_import_profiles' limit: 10,000 profiles per job.
	MaxImport = 10000
	// lookupBatch is how many emails one profiles lookup names (the any()
	// filter's values; one page of 100 profiles answers them).
	lookupBatch = 100
)

// jobPoll is how long to wait before asking about a bulk import again.
const jobPoll = 2 * time.Second

// listIDPattern is the shape of Klaviyo list IDs.
var listIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{6}$`)

// pendingBatch is one chunk of a push: done once Klaviyo has applied it,
// with a bulk import job's ID while the job runs. Chunks are remembered
// between the calls that repeat a batch after a back-off, so a repeat
// neither resends what Klaviyo applied nor starts a second import.
type pendingBatch struct {
	jobID   string
	done    bool
	added   int
	removed int
	failed  []connector.PushFailure
}

// Push changes one list. Members with a Klaviyo profile ID are added with
// add_profiles_to_list (1000 per call); members without one are created or
// updated by a bulk profile import job that also adds them to the list
// (10,000 per call): on list-write limits of 10/s and 150/m that costs one
// request per 10,000 people instead of one per person with the single
// profile upsert (75/s, 750/m). Removals look members up by email (100 per
// request) when they have no ID and delete them from the list 1000 per call.
func (c *Connector) Push(ctx context.Context, conn connector.Connection, req connector.PushRequest) (connector.PushResult, error) {
	if err := validatePush(req); err != nil {
		return connector.PushResult{}, err
	}
	cl, err := c.client(conn)
	if err != nil {
		return connector.PushResult{}, err
	}
	listID, err := c.resolveList(ctx, cl, conn.ID, strings.TrimSpace(req.Destination))
	if err != nil {
		return connector.PushResult{}, err
	}
	res := connector.PushResult{DestinationID: listID}
	prefix := conn.ID + "|" + listID + "|"
	var keys []string
	chunks, invalid := c.plan(prefix, req)
	res.Failed = append(res.Failed, invalid...)
	for _, ch := range chunks {
		keys = append(keys, ch.key)
		if err := c.runChunk(ctx, cl, listID, ch); err != nil {
			return connector.PushResult{}, err
		}
	}
	if err := c.awaitImports(ctx, cl, chunks); err != nil {
		return connector.PushResult{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		b := c.pending[k]
		if b == nil { // a concurrent push of the same batch finished first
			continue
		}
		res.Added += b.added
		res.Removed += b.removed
		res.Failed = append(res.Failed, b.failed...)
		delete(c.pending, k)
	}
	return res, nil
}

func validatePush(req connector.PushRequest) error {
	switch {
	case req.Action != ActionAddToList:
		return fmt.Errorf("klaviyo push: %w", omnify.Invalid("action", "klaviyo offers %q, not %q", ActionAddToList, req.Action))
	case strings.TrimSpace(req.Destination) == "":
		return fmt.Errorf("klaviyo push: %w", omnify.Invalid("destination", "a list name or ID is required"))
	case len(req.Add)+len(req.Remove) > connector.MaxPushBatch:
		return fmt.Errorf("klaviyo push: %w", omnify.Invalid("add", "at most %d members per batch, got %d",
			connector.MaxPushBatch, len(req.Add)+len(req.Remove)))
	}
	return nil
}

// chunk is one vendor request's worth of members.
type chunk struct {
	key     string
	op      string // "add", "import" or "remove"
	members []connector.Member
}

// plan splits a request into chunks; members that cannot be named to
// Klaviyo at all fail at once.
func (c *Connector) plan(prefix string, req connector.PushRequest) ([]chunk, []connector.PushFailure) {
	var withID, without, remove []connector.Member
	var failed []connector.PushFailure
	for _, m := range req.Add {
		switch {
		case m.ExternalID != "":
			withID = append(withID, m)
		case m.Email != "" || m.Phone != "":
			without = append(without, m)
		default:
			failed = append(failed, connector.PushFailure{CustomerID: m.CustomerID, Reason: "Klaviyo: no email, phone or profile ID"})
		}
	}
	for _, m := range req.Remove {
		if m.ExternalID != "" || m.Email != "" || m.Phone != "" {
			remove = append(remove, m)
		}
	}
	var out []chunk
	add := func(op string, ms []connector.Member, size int) {
		for i := 0; i < len(ms); i += size {
			part := ms[i:min(i+size, len(ms))]
			out = append(out, chunk{key: prefix + op + "|" + digest(part), op: op, members: part})
		}
	}
	add("add", withID, MaxListChange)
	add("import", without, MaxImport)
	add("remove", remove, MaxListChange)
	return out, failed
}

func digest(ms []connector.Member) string {
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x01", m.CustomerID, m.ExternalID, m.Email, m.Phone)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// progress returns a copy of the chunk's progress record.
func (c *Connector) progress(key string) pendingBatch {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b := c.pending[key]; b != nil {
		return *b
	}
	return pendingBatch{}
}

// record changes the chunk's progress record under the lock.
func (c *Connector) record(key string, change func(*pendingBatch)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.pending[key]
	if b == nil {
		b = &pendingBatch{}
		c.pending[key] = b
	}
	change(b)
}

// runChunk applies one chunk unless an earlier attempt did.
func (c *Connector) runChunk(ctx context.Context, cl *client, listID string, ch chunk) error {
	if b := c.progress(ch.key); b.done || b.jobID != "" {
		return nil
	}
	switch ch.op {
	case "add":
		n, failed, err := c.changeMembers(ctx, cl, http.MethodPost, listID, ch.members)
		if err != nil {
			return err
		}
		c.record(ch.key, func(b *pendingBatch) { b.added, b.failed, b.done = n, failed, true })
	case "remove":
		n, err := c.removeMembers(ctx, cl, listID, ch.members)
		if err != nil {
			return err
		}
		c.record(ch.key, func(b *pendingBatch) { b.removed, b.done = n, true })
	case "import":
		id, err := startImport(ctx, cl, listID, ch.members)
		if err != nil {
			return err
		}
		c.record(ch.key, func(b *pendingBatch) { b.jobID = id })
	}
	return nil
}

// changeMembers posts or deletes list membership of members with profile
// IDs. A profile Klaviyo does not know fails alone: it is dropped and the
// rest sent again (removing an unknown profile is not a failure).
func (c *Connector) changeMembers(ctx context.Context, cl *client, method, listID string, ms []connector.Member) (int, []connector.PushFailure, error) {
	var failed []connector.PushFailure
	for len(ms) > 0 {
		data := make([]map[string]string, len(ms))
		for i, m := range ms {
			data[i] = map[string]string{"type": "profile", "id": m.ExternalID}
		}
		err := cl.do(ctx, method, "/api/lists/"+listID+"/relationships/profiles", nil, map[string]any{"data": data}, nil)
		if err == nil {
			return len(ms), failed, nil
		}
		i, reason, ok := badMember(err, len(ms))
		if !ok {
			return 0, nil, err
		}
		if method == http.MethodPost {
			failed = append(failed, connector.PushFailure{CustomerID: ms[i].CustomerID, Reason: "Klaviyo: " + reason})
		}
		ms = append(ms[:i:i], ms[i+1:]...)
	}
	return 0, failed, nil
}

var memberPointer = regexp.MustCompile(`^/data/(\d+)(/|$)`)

// badMember finds the member a 400 names by its JSON pointer.
func badMember(err error, n int) (int, string, bool) {
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		return 0, "", false
	}
	for _, e := range ae.Errors {
		if m := memberPointer.FindStringSubmatch(e.Source.Pointer); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < n {
				return i, e.Detail, true
			}
		}
	}
	return 0, "", false
}

// removeMembers removes members from the list, looking up the profile IDs
// of those who have none; people Klaviyo does not know are not in the list.
func (c *Connector) removeMembers(ctx context.Context, cl *client, listID string, ms []connector.Member) (int, error) {
	var byID, byEmail, byPhone []connector.Member
	for _, m := range ms {
		switch {
		case m.ExternalID != "":
			byID = append(byID, m)
		case m.Email != "":
			byEmail = append(byEmail, m)
		default:
			byPhone = append(byPhone, m)
		}
	}
	for _, look := range []struct {
		field string
		ms    []connector.Member
		key   func(connector.Member) string
	}{
		{"email", byEmail, func(m connector.Member) string { return strings.ToLower(m.Email) }},
		{"phone_number", byPhone, func(m connector.Member) string { return m.Phone }},
	} {
		found, err := lookup(ctx, cl, look.field, look.ms, look.key)
		if err != nil {
			return 0, err
		}
		byID = append(byID, found...)
	}
	if len(byID) == 0 {
		return 0, nil
	}
	n, _, err := c.changeMembers(ctx, cl, http.MethodDelete, listID, byID)
	return n, err
}

// lookup finds the profile IDs of members by one identifier field.
func lookup(ctx context.Context, cl *client, field string, ms []connector.Member, key func(connector.Member) string) ([]connector.Member, error) {
	var out []connector.Member
	for i := 0; i < len(ms); i += lookupBatch {
		part := ms[i:min(i+lookupBatch, len(ms))]
		vals := make([]string, len(part))
		for j, m := range part {
			b, _ := json.Marshal(key(m))
			vals[j] = string(b)
		}
		var page jsonAPIPage
		q := map[string]string{"filter": fmt.Sprintf("any(%s,[%s])", field, strings.Join(vals, ",")),
			"fields[profile]": field, "page[size]": strconv.Itoa(lookupBatch)}
		if err := cl.get(ctx, "/api/profiles", q, &page); err != nil {
			return nil, err
		}
		ids := map[string]string{}
		for _, r := range page.Data {
			var a map[string]*string
			if json.Unmarshal(r.Attributes, &a) == nil && a[field] != nil {
				ids[strings.ToLower(*a[field])] = r.ID
			}
		}
		for _, m := range part {
			if id := ids[strings.ToLower(key(m))]; id != "" {
				m.ExternalID = id
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// startImport starts a bulk profile import job that adds the profiles to
// the list.
func startImport(ctx context.Context, cl *client, listID string, ms []connector.Member) (string, error) {
	profiles := make([]map[string]any, len(ms))
	for i, m := range ms {
		attrs := map[string]string{}
		for k, v := range map[string]string{"email": m.Email, "phone_number": m.Phone, "first_name": m.FirstName, "last_name": m.LastName} {
			if v != "" {
				attrs[k] = v
			}
		}
		profiles[i] = map[string]any{"type": "profile", "attributes": attrs}
	}
	body := map[string]any{"data": map[string]any{
		"type":          "profile-bulk-import-job",
		"attributes":    map[string]any{"profiles": map[string]any{"data": profiles}},
		"relationships": map[string]any{"lists": map[string]any{"data": []map[string]string{{"type": "list", "id": listID}}}},
	}}
	var out struct {
		Data resource `json:"data"`
	}
	if err := cl.do(ctx, http.MethodPost, "/api/profile-bulk-import-jobs", nil, body, &out); err != nil {
		return "", fmt.Errorf("start klaviyo bulk import of %d profiles: %w", len(ms), err)
	}
	if out.Data.ID == "" {
		return "", connector.BackOff(serverWait, "Klaviyo's bulk import answer had no job ID", nil)
	}
	return out.Data.ID, nil
}

type jobAttrs struct {
	Status         string `json:"status"`
	TotalCount     int    `json:"total_count"`
	CompletedCount int    `json:"completed_count"`
	FailedCount    int    `json:"failed_count"`
}

// awaitImports checks the chunks' import jobs; while one still runs it
// asks to be called again.
func (c *Connector) awaitImports(ctx context.Context, cl *client, chunks []chunk) error {
	running := 0
	for _, ch := range chunks {
		b := c.progress(ch.key)
		if ch.op != "import" || b.done || b.jobID == "" {
			continue
		}
		var out struct {
			Data resource `json:"data"`
		}
		if err := cl.get(ctx, "/api/profile-bulk-import-jobs/"+b.jobID, nil, &out); err != nil {
			return fmt.Errorf("klaviyo bulk import job %s: %w", b.jobID, err)
		}
		var a jobAttrs
		if err := json.Unmarshal(out.Data.Attributes, &a); err != nil {
			return connector.BackOff(serverWait, "unreadable bulk import job from Klaviyo", err)
		}
		switch a.Status {
		case "complete":
			failed, err := importFailures(ctx, cl, b.jobID, ch.members)
			if err != nil {
				return err
			}
			c.record(ch.key, func(b *pendingBatch) { b.added, b.failed, b.done = a.CompletedCount, failed, true })
		case "cancelled":
			c.record(ch.key, func(b *pendingBatch) { b.jobID = "" }) // started again on the next call
			running++
		default:
			running++
		}
	}
	if running > 0 {
		return connector.BackOff(jobPoll, fmt.Sprintf("Klaviyo is still importing profiles (%d bulk import jobs running)", running), nil)
	}
	return nil
}

var importPointer = regexp.MustCompile(`^/data/attributes/profiles/data/(\d+)(/|$)`)

// importFailures reads a job's import errors and names the members they
// are about, by position in the job or by the email sent.
func importFailures(ctx context.Context, cl *client, jobID string, ms []connector.Member) ([]connector.PushFailure, error) {
	byEmail := map[string]string{}
	for _, m := range ms {
		byEmail[strings.ToLower(m.Email)] = m.CustomerID
	}
	var out []connector.PushFailure
	path, q := "/api/profile-bulk-import-jobs/"+jobID+"/import-errors", map[string]string{"page[size]": "100"}
	for path != "" {
		var page jsonAPIPage
		if err := cl.get(ctx, path, q, &page); err != nil {
			return nil, fmt.Errorf("klaviyo import errors of job %s: %w", jobID, err)
		}
		for _, r := range page.Data {
			var a struct {
				Detail string `json:"detail"`
				Source struct {
					Pointer string `json:"pointer"`
				} `json:"source"`
				Original struct {
					Attributes struct {
						Email string `json:"email"`
					} `json:"attributes"`
				} `json:"original_payload"`
			}
			if err := json.Unmarshal(r.Attributes, &a); err != nil {
				return nil, fmt.Errorf("klaviyo import error %s: %w", r.ID, err)
			}
			id := byEmail[strings.ToLower(a.Original.Attributes.Email)]
			if m := importPointer.FindStringSubmatch(a.Source.Pointer); id == "" && m != nil {
				if i, _ := strconv.Atoi(m[1]); i < len(ms) {
					id = ms[i].CustomerID
				}
			}
			out = append(out, connector.PushFailure{CustomerID: id, Reason: "Klaviyo: " + a.Detail})
		}
		path, q = page.next(), nil
	}
	return out, nil
}

// resolveList finds the destination list by ID, then by name, and creates
// it when missing (create_list allows 150 a day, so the ID is remembered).
func (c *Connector) resolveList(ctx context.Context, cl *client, connID, dest string) (string, error) {
	key := connID + "|" + dest
	c.mu.Lock()
	id, ok := c.lists[key]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := findList(ctx, cl, dest)
	if err == nil && id == "" {
		id, err = createList(ctx, cl, dest)
	}
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.lists[key] = id
	c.mu.Unlock()
	return id, nil
}

func findList(ctx context.Context, cl *client, dest string) (string, error) {
	if listIDPattern.MatchString(dest) {
		var out struct {
			Data resource `json:"data"`
		}
		err := cl.get(ctx, "/api/lists/"+dest, map[string]string{"fields[list]": "name"}, &out)
		if err == nil {
			return out.Data.ID, nil
		}
		if !isStatus(err, http.StatusNotFound) {
			return "", fmt.Errorf("find klaviyo list %s: %w", dest, err)
		}
	}
	quoted, err := quote(dest)
	if err != nil {
		return "", err
	}
	var page jsonAPIPage
	q := map[string]string{"filter": "equals(name," + quoted + ")", "sort": "created", "fields[list]": "name"}
	if err := cl.get(ctx, "/api/lists", q, &page); err != nil {
		return "", fmt.Errorf("find klaviyo list %q: %w", dest, err)
	}
	if len(page.Data) > 0 {
		return page.Data[0].ID, nil
	}
	return "", nil
}

// quote quotes a filter string value.
func quote(s string) (string, error) {
	switch {
	case !strings.Contains(s, `"`):
		return `"` + s + `"`, nil
	case !strings.Contains(s, `'`):
		return `'` + s + `'`, nil
	}
	return "", fmt.Errorf("klaviyo push: %w", omnify.Invalid("destination", "a list name cannot hold both kinds of quotes"))
}

func createList(ctx context.Context, cl *client, name string) (string, error) {
	body := map[string]any{"data": map[string]any{"type": "list", "attributes": map[string]any{"name": name}}}
	var out struct {
		Data resource `json:"data"`
	}
	if err := cl.do(ctx, http.MethodPost, "/api/lists", nil, body, &out); err != nil {
		return "", fmt.Errorf("create klaviyo list %q: %w", name, err)
	}
	return out.Data.ID, nil
}
