package gohighleveltest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
)

// Contact is a HighLevel contact as the fake keeps it.
type Contact struct {
	ID          string
	FirstName   string
	LastName    string
	Email       string
	Phone       string
	DND         bool
	EmailDND    string // dndSettings.Email.status: "", "active", "inactive", "permanent"
	Tags        []string
	DateAdded   time.Time
	DateUpdated time.Time
}

// Opportunity is a deal in a pipeline.
type Opportunity struct {
	ID, Name, Status, PipelineID, StageID, ContactID string
	MonetaryValue                                    float64
	CreatedAt, UpdatedAt                             time.Time
}

// Campaign and Workflow are the list-only objects.
type Campaign struct{ ID, Name, Status string }

// Workflow is an automation.
type Workflow struct {
	ID, Name, Status     string
	Version              int
	CreatedAt, UpdatedAt time.Time
}

// account is everything one location holds.
type account struct {
	rng       *rand.Rand
	contacts  map[string]*Contact
	opps      []*Opportunity
	campaigns []Campaign
	workflows []Workflow
	clock     time.Time // newest timestamp handed out
	nextID    int
	sorted    []*Contact          // search order; nil when stale
	emails    map[string]*Contact // lower-case email → first contact with it
}

var (
	firstNames = []string{"Ava", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Isla", "Jonas", "Kemi", "Luca"}
	lastNames  = []string{"Adams", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jones"}
	tagPool    = []string{"lead", "customer", "vip", "newsletter", "webinar"}
)

// start is when the seeded account's history begins.
var start = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func newAccount(o Options) *account {
	a := &account{rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), contacts: map[string]*Contact{}, clock: start,
		emails: map[string]*Contact{}}
	for range o.Contacts {
		a.addContact("", "", "", "")
	}
	ids := a.contactIDs()
	for i := range o.Opportunities {
		a.clock = a.clock.Add(time.Minute)
		o := &Opportunity{ID: a.id("opp"), Name: fmt.Sprintf("Deal %d", i+1), Status: []string{"open", "won", "lost", "abandoned"}[a.rng.IntN(4)],
			PipelineID: "pipe_main", StageID: fmt.Sprintf("stage-%d", a.rng.IntN(4)), MonetaryValue: float64(a.rng.IntN(500000)) / 100,
			CreatedAt: a.clock, UpdatedAt: a.clock}
		if len(ids) > 0 {
			o.ContactID = ids[a.rng.IntN(len(ids))]
		}
		a.opps = append(a.opps, o)
	}
	for i := range o.Campaigns {
		a.campaigns = append(a.campaigns, Campaign{ID: a.id("cmp"), Name: fmt.Sprintf("Drip %d", i+1), Status: []string{"published", "draft"}[i%2]})
	}
	for i := range o.Workflows {
		a.clock = a.clock.Add(time.Minute)
		a.workflows = append(a.workflows, Workflow{ID: a.id("wf"), Name: fmt.Sprintf("Workflow %d", i+1),
			Status: []string{"published", "draft"}[i%2], Version: 1 + i%3, CreatedAt: a.clock, UpdatedAt: a.clock})
	}
	return a
}

// id makes a 20-character HighLevel-style ID, unique and deterministic.
func (a *account) id(prefix string) string {
	a.nextID++
	return fmt.Sprintf("%s%0*d", prefix, 20-len(prefix), a.nextID)
}

// addContact creates a contact; empty fields are generated.
func (a *account) addContact(email, first, last, phone string) *Contact {
	a.clock = a.clock.Add(time.Duration(1+a.rng.IntN(120)) * time.Second)
	n := a.nextID + 1
	if first == "" && email == "" {
		first, last = firstNames[a.rng.IntN(len(firstNames))], lastNames[a.rng.IntN(len(lastNames))]
		email = fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), strings.ToLower(last), n)
		phone = fmt.Sprintf("+1555%07d", n)
	}
	c := &Contact{ID: a.id("c"), FirstName: first, LastName: last, Email: email, Phone: phone,
		DateAdded: a.clock, DateUpdated: a.clock}
	switch a.rng.IntN(10) {
	case 0:
		c.DND = true
	case 1:
		c.EmailDND = "active"
	case 2:
		c.EmailDND = "inactive"
	}
	if a.rng.IntN(2) == 0 {
		c.Tags = []string{tagPool[a.rng.IntN(len(tagPool))]}
	}
	a.contacts[c.ID] = c
	if key := strings.ToLower(email); key != "" && a.emails[key] == nil {
		a.emails[key] = c
	}
	a.sorted = nil
	return c
}

func (a *account) contactIDs() []string {
	out := make([]string, 0, len(a.contacts))
	for id := range a.contacts {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// sortedContacts orders contacts by (dateUpdated, id), the search order.
// The order is kept until a contact changes.
func (a *account) sortedContacts() []*Contact {
	if a.sorted != nil {
		return a.sorted
	}
	out := make([]*Contact, 0, len(a.contacts))
	for _, c := range a.contacts {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].DateUpdated.Equal(out[j].DateUpdated) {
			return out[i].DateUpdated.Before(out[j].DateUpdated)
		}
		return out[i].ID < out[j].ID
	})
	a.sorted = out
	return out
}

// tick returns a timestamp newer than any handed out, on whole
// milliseconds as HighLevel stores them.
func (a *account) tick() time.Time {
	a.clock = a.clock.Add(time.Second).Truncate(time.Millisecond)
	a.sorted = nil // the caller stamps a contact with it
	return a.clock
}

func (a *account) byEmail(email string) *Contact {
	return a.emails[strings.ToLower(strings.TrimSpace(email))]
}

// Mutate changes touched existing contacts (and one opportunity and
// workflow) and adds added new contacts, all newer than anything before.
func (s *Server) Mutate(touched, added int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.data
	ids := a.contactIDs()
	for i := 0; i < touched && i < len(ids); i++ {
		c := a.contacts[ids[(i*7)%len(ids)]]
		c.LastName += "-Updated"
		c.DateUpdated = a.tick()
	}
	for range added {
		c := a.addContact("", "", "", "")
		c.DateAdded = a.tick()
		c.DateUpdated = c.DateAdded
	}
	if len(a.opps) > 0 {
		a.opps[0].Status, a.opps[0].UpdatedAt = "won", a.tick()
	}
	if len(a.workflows) > 0 {
		a.workflows[0].Version++
		a.workflows[0].UpdatedAt = a.tick()
	}
}

// Len is the number of records the stream's endpoint lists.
func (s *Server) Len(stream string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch stream {
	case "contacts":
		return len(s.data.contacts)
	case "opportunities":
		return len(s.data.opps)
	case "campaigns":
		return len(s.data.campaigns)
	case "workflows":
		return len(s.data.workflows)
	}
	return 0
}

// Contacts returns copies of every contact, in search order.
func (s *Server) Contacts() []Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Contact
	for _, c := range s.data.sortedContacts() {
		cp := *c
		cp.Tags = slices.Clone(c.Tags)
		out = append(out, cp)
	}
	return out
}

// AddContact creates a contact with the given email and no tags, as if
// someone had entered it in HighLevel; it returns the contact's ID.
func (s *Server) AddContact(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.data.addContact(email, "Given", "Contact", "")
	c.Tags = nil
	return c.ID
}

// Audience returns the lower-case emails of the contacts holding tag,
// sorted. HighLevel compares tags case-insensitively and keeps them lower
// case.
func (s *Server) Audience(tag string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tag = strings.ToLower(tag)
	var out []string
	for _, c := range s.data.contacts {
		if slices.Contains(c.Tags, tag) && c.Email != "" {
			out = append(out, strings.ToLower(c.Email))
		}
	}
	sort.Strings(out)
	return out
}
