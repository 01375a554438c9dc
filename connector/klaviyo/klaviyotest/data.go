package klaviyotest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// account is the fake's data. Profiles are kept in ID order (creation
// order) and, for the common incremental read, in update order too.
type account struct {
	profiles       []*profile
	byUpdated      []*profile // sorted by (updated, id)
	profileByID    map[string]*profile
	profileByEmail map[string]*profile
	lists          []*list
	segments       []*segment
	campaigns      []*campaign
	metrics        []*metric
	metricByID     map[string]*metric
	events         []*event // sorted by (datetime, id)
	jobs           map[string]*job
	clock          time.Time // latest time handed out
	seq            int       // IDs handed out
	rng            *rand.Rand
}

type profile struct {
	id, email, phone, first, last, externalID string
	created, updated                          time.Time
	emailConsent, smsConsent                  string
}

type list struct {
	id, name, optIn  string
	created, updated time.Time
	members          map[string]bool // profile IDs
}

type segment struct {
	id, name         string
	active           bool
	created, updated time.Time
}

type campaign struct {
	id, name, channel, status string
	created, updated          time.Time
	sent                      *time.Time
}

type metric struct {
	id, name         string
	created, updated time.Time
}

type event struct {
	id, metricID, profileID string
	at                      time.Time
	props                   map[string]any
}

// job is a bulk profile import job.
type job struct {
	id, status              string
	total, completed, fails int
	polls                   int
	created                 time.Time
	completedAt             *time.Time
	lists                   []string
	errors                  []importError
	pending                 []json.RawMessage // profiles not yet imported
}

type importError struct {
	code, title, detail, pointer string
	payload                      map[string]any
}

var (
	firstNames = []string{"Ada", "Ben", "Chloe", "Dev", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Luca"}
	lastNames  = []string{"Okafor", "Lindqvist", "Moreau", "Patel", "Schmidt", "Tanaka", "Rossi", "Kowalski", "Nguyen", "Silva"}
	consents   = []string{"SUBSCRIBED", "SUBSCRIBED", "UNSUBSCRIBED", "NEVER_SUBSCRIBED"}
	metricSet  = []string{"Opened Email", "Clicked Email", "Placed Order", "Received Email", "Viewed Product"}
	statuses   = []string{"Sent", "Sent", "Draft", "Scheduled", "Cancelled"}
)

func generate(o Options) *account {
	a := &account{profileByID: map[string]*profile{}, profileByEmail: map[string]*profile{},
		metricByID: map[string]*metric{}, jobs: map[string]*job{}, clock: o.Start,
		rng: rand.New(rand.NewPCG(o.Seed, o.Seed^0x6b6c6176))}
	for i := range o.Profiles {
		a.addProfile(fmt.Sprintf("customer%d@example.com", i), o.Start.Add(time.Duration(i)*7*time.Second), i)
	}
	a.sortProfiles()
	for i := range o.Lists {
		a.newList(fmt.Sprintf("List %d", i+1), o.Start.Add(time.Duration(i)*time.Hour))
	}
	for i := range o.Segments {
		t := o.Start.Add(time.Duration(i) * 90 * time.Minute)
		a.segments = append(a.segments, &segment{id: shortID('S', i), name: fmt.Sprintf("Segment %d", i+1),
			active: i%4 != 3, created: t, updated: t.Add(time.Hour)})
	}
	for i := range o.Campaigns {
		a.addCampaign(i, o.Start)
	}
	for i, name := range metricSet {
		t := o.Start.Add(-time.Duration(len(metricSet)-i) * 24 * time.Hour)
		m := &metric{id: shortID('M', i), name: name, created: t, updated: t}
		a.metrics = append(a.metrics, m)
		a.metricByID[m.id] = m
	}
	for range o.Events {
		a.addEvent(a.metrics[a.rng.IntN(len(a.metrics))], o.Start.Add(time.Duration(a.rng.IntN(o.Events*40+1))*time.Second))
	}
	a.sortEvents()
	return a
}

// shortID makes a six-character ID in the style of Klaviyo's list,
// segment and metric IDs.
func shortID(kind byte, i int) string {
	const digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz"
	n := i*7919 + 104729
	b := []byte{kind, 0, 0, 0, 0, 0}
	for j := 5; j > 0; j-- {
		b[j] = digits[n%len(digits)]
		n /= len(digits)
	}
	return string(b)
}

// ulid makes a 26-character ID in the style of Klaviyo's profile, event
// and campaign IDs.
func ulid(prefix string, i int) string {
	return fmt.Sprintf("%s%0*X", prefix, 26-len(prefix), i)
}

func (a *account) tick(t time.Time) time.Time {
	if t.After(a.clock) {
		a.clock = t
	}
	return t
}

func (a *account) addProfile(email string, created time.Time, i int) *profile {
	a.seq++
	// Update times share minutes, so pages often end inside a run of equal
	// times.
	upd := created.Add(time.Duration(a.rng.IntN(30)) * time.Minute).Truncate(time.Minute)
	p := &profile{id: ulid("01J", a.seq), email: strings.ToLower(email),
		first: firstNames[i%len(firstNames)], last: lastNames[(i/3)%len(lastNames)],
		created: created.UTC(), updated: a.tick(upd.UTC()),
		emailConsent: consents[a.rng.IntN(len(consents))], smsConsent: consents[a.rng.IntN(len(consents))]}
	if i%3 != 0 {
		p.phone = fmt.Sprintf("+1415555%04d", i%10000)
	}
	if i%5 == 0 {
		p.externalID = fmt.Sprintf("shop-%d", i)
	}
	a.profiles = append(a.profiles, p)
	a.profileByID[p.id] = p
	a.profileByEmail[p.email] = p
	return p
}

func (a *account) sortProfiles() {
	a.byUpdated = append(a.byUpdated[:0], a.profiles...)
	sort.Slice(a.byUpdated, func(i, j int) bool {
		return lessAt(a.byUpdated[i].updated, a.byUpdated[i].id, a.byUpdated[j].updated, a.byUpdated[j].id)
	})
}

func lessAt(t1 time.Time, id1 string, t2 time.Time, id2 string) bool {
	if !t1.Equal(t2) {
		return t1.Before(t2)
	}
	return id1 < id2
}

func (a *account) newList(name string, at time.Time) *list {
	l := &list{id: shortID('L', len(a.lists)), name: name, optIn: "single_opt_in",
		created: at.UTC(), updated: at.UTC(), members: map[string]bool{}}
	for a.findList(l.id) != nil { // IDs stay unique when lists are created later
		l.id = shortID('L', len(a.lists)+a.rng.IntN(1<<20))
	}
	a.lists = append(a.lists, l)
	return l
}

// findList finds a list by ID, then by name.
func (a *account) findList(idOrName string) *list {
	for _, l := range a.lists {
		if l.id == idOrName {
			return l
		}
	}
	for _, l := range a.lists {
		if l.name == idOrName {
			return l
		}
	}
	return nil
}

func (a *account) addCampaign(i int, start time.Time) {
	ch := "email"
	if i%2 == 1 {
		ch = "sms"
	}
	created := start.Add(time.Duration(i) * 5 * time.Hour)
	c := &campaign{id: ulid("01K", i+1), name: fmt.Sprintf("%s campaign %d", strings.ToUpper(ch[:1])+ch[1:], i+1),
		channel: ch, status: statuses[i%len(statuses)], created: created, updated: created.Add(2 * time.Hour)}
	if c.status == "Sent" {
		t := created.Add(24 * time.Hour)
		c.sent = &t
	}
	a.campaigns = append(a.campaigns, c)
}

func (a *account) addEvent(m *metric, at time.Time) {
	a.seq++
	e := &event{id: ulid("4E", a.seq), metricID: m.id, at: a.tick(at.UTC())}
	if len(a.profiles) > 0 {
		e.profileID = a.profiles[a.rng.IntN(len(a.profiles))].id
	}
	switch m.name {
	case "Placed Order":
		cents := 500 + a.rng.IntN(25000)
		e.props = map[string]any{"$value": float64(cents) / 100, "$currency_code": "USD", "OrderId": fmt.Sprintf("100%d", a.seq)}
	case "Opened Email", "Clicked Email", "Received Email":
		e.props = map[string]any{"Subject": "Spring sale"}
		if n := len(a.campaigns); n > 0 {
			c := a.campaigns[2*a.rng.IntN((n+1)/2)] // email campaigns sit at even positions
			e.props["$message"] = c.id
			e.props["Campaign Name"] = c.name
		}
	default:
		e.props = map[string]any{"ProductName": "Linen shirt"}
	}
	a.events = append(a.events, e)
}

func (a *account) sortEvents() {
	sort.Slice(a.events, func(i, j int) bool { return lessAt(a.events[i].at, a.events[i].id, a.events[j].at, a.events[j].id) })
}

// mutate updates three profiles, adds two, and adds one event of each
// metric, all newer than anything before.
func (a *account) mutate() {
	next := a.clock.Add(time.Minute).Truncate(time.Minute)
	for i := 0; i < 3 && i < len(a.profiles); i++ {
		p := a.profiles[(i*7919)%len(a.profiles)]
		p.updated = next
		p.first += "e"
	}
	for i := range 2 {
		n := len(a.profiles)
		p := a.addProfile(fmt.Sprintf("new%d-%d@example.com", n, i), next, n)
		p.updated = next
	}
	a.clock = next
	a.sortProfiles()
	for i, m := range a.metrics {
		a.addEvent(m, next.Add(time.Duration(i)*time.Second))
	}
	a.sortEvents()
}

// upsert creates or updates a profile from an import, returning it.
func (a *account) upsert(email, phone, first, last, externalID string) *profile {
	email = strings.ToLower(email)
	p := a.profileByEmail[email]
	if p == nil && email == "" && phone != "" {
		for _, q := range a.profiles {
			if q.phone == phone {
				p = q
				break
			}
		}
	}
	now := a.clock.Add(time.Second)
	if p == nil {
		p = a.addProfile(email, now, len(a.profiles))
		p.first, p.last, p.phone, p.externalID = "", "", "", ""
		p.emailConsent, p.smsConsent = "NEVER_SUBSCRIBED", "NEVER_SUBSCRIBED"
		if email == "" {
			delete(a.profileByEmail, "")
		}
	}
	for dst, v := range map[*string]string{&p.first: first, &p.last: last, &p.phone: phone, &p.externalID: externalID} {
		if v != "" {
			*dst = v
		}
	}
	p.updated = a.tick(now)
	return p
}
