package hubspottest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// timeFormat is how HubSpot writes datetime values.
const timeFormat = "2006-01-02T15:04:05.000Z"

// object is one CRM record; nil property values are JSON nulls.
type object struct {
	id       int64
	props    map[string]*string
	created  time.Time
	updated  time.Time
	archived bool
}

// portal is the fake account's data. Callers hold Server.mu.
type portal struct {
	o        Options
	rng      *rand.Rand
	objects  map[string][]*object // by type, ascending IDs
	byID     map[string]map[int64]*object
	nextID   map[string]int64
	lastMod  time.Time
	lists    []*list
	nextList int
	// version counts changes; sortCache holds search orders by version.
	version   int
	sortCache map[string]sortedObjects
}

// modifiedProperty is the property HubSpot keeps the last modification
// time of each object type in.
func modifiedProperty(typ string) string {
	if typ == Contacts {
		return "lastmodifieddate"
	}
	return "hs_lastmodifieddate"
}

func newPortal(o Options) *portal {
	p := &portal{o: o, rng: rand.New(rand.NewPCG(uint64(o.Seed), 0x4855)), objects: map[string][]*object{},
		byID: map[string]map[int64]*object{}, nextID: map[string]int64{}, nextList: 1001,
		sortCache: map[string]sortedObjects{}}
	for _, typ := range []string{Contacts, Companies, Deals} {
		p.byID[typ] = map[int64]*object{}
		p.nextID[typ] = 101
	}
	// Seed in a fixed order so the same options give the same portal.
	for _, typ := range []string{Contacts, Companies, Deals} {
		n := map[string]int{Contacts: o.Contacts, Companies: o.Companies, Deals: o.Deals}[typ]
		span := 300 * 24 * time.Hour
		for i := range n {
			created := o.Start.Add(time.Duration(int64(span) / int64(max(n, 1)) * int64(i))).
				Add(time.Duration(p.rng.IntN(3600)) * time.Second).Truncate(time.Millisecond)
			updated := created.Add(time.Duration(p.rng.IntN(30*24*3600)) * time.Second).Add(time.Duration(p.rng.IntN(1000)) * time.Millisecond)
			p.insert(typ, created, updated)
		}
	}
	return p
}

// insert adds a generated object of typ.
func (p *portal) insert(typ string, created, updated time.Time) *object {
	id := p.nextID[typ]
	p.nextID[typ]++
	o := &object{id: id, created: created, updated: updated}
	switch typ {
	case Contacts:
		o.props = p.contactProps(id)
	case Companies:
		o.props = p.companyProps(id)
	case Deals:
		o.props = p.dealProps(id)
	}
	p.stampProps(typ, o)
	p.objects[typ] = append(p.objects[typ], o)
	p.byID[typ][id] = o
	return o
}

func str(s string) *string { return &s }

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Linus", "Margaret", "Dennis"}
	lastNames  = []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Torvalds", "Hamilton", "Ritchie"}
	stages     = []string{"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"}
	industries = []string{"COMPUTER_SOFTWARE", "RETAIL", "MARKETING_AND_ADVERTISING", "FINANCIAL_SERVICES"}
	dealStages = []string{"appointmentscheduled", "qualifiedtobuy", "contractsent", "closedwon", "closedlost"}
)

func (p *portal) contactProps(id int64) map[string]*string {
	first, last := firstNames[p.rng.IntN(len(firstNames))], lastNames[p.rng.IntN(len(lastNames))]
	props := map[string]*string{
		"email":          str(fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), strings.ToLower(last), id)),
		"firstname":      str(first),
		"lastname":       str(last),
		"phone":          nil,
		"lifecyclestage": str(stages[p.rng.IntN(len(stages))]),
		"hs_object_id":   str(strconv.FormatInt(id, 10)),
	}
	if p.rng.IntN(3) > 0 {
		props["phone"] = str(fmt.Sprintf("+1 415 555 %04d", id%10000))
	}
	switch r := p.rng.IntN(10); {
	case r == 0:
		props["hs_email_optout"] = str("true")
	case r < 7:
		props["hs_email_optout"] = str("false")
	default:
		props["hs_email_optout"] = nil
	}
	if p.rng.IntN(5) < 2 {
		props["hs_legal_basis"] = str("Freely given consent from contact")
	} else {
		props["hs_legal_basis"] = nil
	}
	return props
}

func (p *portal) companyProps(id int64) map[string]*string {
	name := fmt.Sprintf("%s Labs %d", lastNames[p.rng.IntN(len(lastNames))], id)
	return map[string]*string{
		"name":         str(name),
		"domain":       str(fmt.Sprintf("labs%d.example.com", id)),
		"industry":     str(industries[p.rng.IntN(len(industries))]),
		"hs_object_id": str(strconv.FormatInt(id, 10)),
	}
}

func (p *portal) dealProps(id int64) map[string]*string {
	return map[string]*string{
		"dealname":     str(fmt.Sprintf("Renewal %d", id)),
		"amount":       str(fmt.Sprintf("%d.%02d", 100+p.rng.IntN(9900), p.rng.IntN(100))),
		"dealstage":    str(dealStages[p.rng.IntN(len(dealStages))]),
		"pipeline":     str("default"),
		"hs_object_id": str(strconv.FormatInt(id, 10)),
	}
}

// stampProps writes the created and modified times into the properties.
func (p *portal) stampProps(typ string, o *object) {
	o.props["createdate"] = str(o.created.UTC().Format(timeFormat))
	o.props[modifiedProperty(typ)] = str(o.updated.UTC().Format(timeFormat))
	p.version++
	if p.lastMod.Before(o.updated) {
		p.lastMod = o.updated
	}
}

// stamp is a modification time later than every one before, as HubSpot's
// millisecond stamps of successive writes are.
func (p *portal) stamp() time.Time {
	now := p.o.Now().UTC().Truncate(time.Millisecond)
	if !now.After(p.lastMod) {
		now = p.lastMod.Add(time.Millisecond)
	}
	p.lastMod = now
	return now
}

// Touch modifies n existing objects of typ (every k-th), giving them new
// modification times.
func (s *Server) Touch(typ string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	objs := s.portal.objects[typ]
	if len(objs) == 0 {
		return
	}
	step := max(len(objs)/max(n, 1), 1)
	for i := 0; i < n && i*step < len(objs); i++ {
		o := objs[i*step]
		o.updated = s.portal.stamp()
		if typ == Contacts {
			o.props["lifecyclestage"] = str("customer")
		}
		s.portal.stampProps(typ, o)
	}
}

// Add creates n new objects of typ, modified now.
func (s *Server) Add(typ string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		t := s.portal.stamp()
		s.portal.insert(typ, t, t)
	}
}

// Mutate touches three and adds two objects of every type.
func (s *Server) Mutate() {
	for _, typ := range []string{Contacts, Companies, Deals} {
		s.Touch(typ, 3)
		s.Add(typ, 2)
	}
}

// SetAllModified gives n objects of typ the same modification time, the
// edge a search must page through by offset.
func (s *Server) SetAllModified(typ string, n int) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.portal.stamp()
	for i, o := range s.portal.objects[typ] {
		if i == n {
			break
		}
		o.updated = t
		s.portal.stampProps(typ, o)
	}
	return t
}

// Len returns how many live objects of typ the portal holds.
func (s *Server) Len(typ string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.portal.live(typ))
}

// ContactID returns the ID of the contact with email, if any.
func (s *Server) ContactID(email string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.portal.byEmail(email)
	if o == nil {
		return "", false
	}
	return strconv.FormatInt(o.id, 10), true
}

func (p *portal) live(typ string) []*object {
	out := make([]*object, 0, len(p.objects[typ]))
	for _, o := range p.objects[typ] {
		if !o.archived {
			out = append(out, o)
		}
	}
	return out
}

func (p *portal) byEmail(email string) *object {
	email = strings.ToLower(strings.TrimSpace(email))
	for _, o := range p.objects[Contacts] {
		if e := o.props["email"]; e != nil && !o.archived && strings.ToLower(*e) == email {
			return o
		}
	}
	return nil
}

// Archive deletes a contact, as moving it to the recycle bin does.
func (s *Server) Archive(typ, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := strconv.ParseInt(id, 10, 64)
	if o := s.portal.byID[typ][n]; o != nil {
		o.archived = true
		s.portal.version++
	}
}

// emails returns the sorted lower-case emails of the contact IDs.
func (p *portal) emails(ids map[int64]bool) []string {
	out := make([]string, 0, len(ids))
	for id := range ids {
		if o := p.byID[Contacts][id]; o != nil && o.props["email"] != nil {
			out = append(out, strings.ToLower(*o.props["email"]))
		}
	}
	slices.Sort(out)
	return out
}

// Modified returns an object's modification time as HubSpot writes it
// (empty when there is no such object).
func (s *Server) Modified(typ, id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := strconv.ParseInt(id, 10, 64)
	if o := s.portal.byID[typ][n]; o != nil {
		return o.updated.UTC().Format(timeFormat)
	}
	return ""
}

// TouchID modifies one object now.
func (s *Server) TouchID(typ, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := strconv.ParseInt(id, 10, 64)
	if o := s.portal.byID[typ][n]; o != nil {
		o.updated = s.portal.stamp()
		s.portal.stampProps(typ, o)
	}
}

// AddContact creates a contact with email now, as a form or another app
// would, and returns its ID.
func (s *Server) AddContact(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.portal.stamp()
	o := s.portal.insert(Contacts, t, t)
	o.props["email"] = str(strings.ToLower(email))
	s.portal.version++
	return strconv.FormatInt(o.id, 10)
}
