package linkedintest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// ID ranges of the generated objects, so a test can tell them apart.
const (
	firstAccount  = 500000001
	firstGroup    = 600000001
	firstCampaign = 700000001
	firstCreative = 800000001
	firstSegment  = 900000001
	firstShare    = 7100000000000000001
)

type account struct {
	ID                int64
	Name, Currency    string
	Status            string
	Created, Modified time.Time
}

type group struct {
	ID, Account       int64
	Name, Status      string
	BudgetMinor       int64
	Created, Modified time.Time
}

type campaign struct {
	ID, Account, Group int64
	Name, Status       string
	Type, CostType     string
	DailyBudgetMinor   int64
	Start              time.Time // first day with delivery (UTC midnight)
	Created, Modified  time.Time
}

type creative struct {
	ID, Account, Campaign int64
	Name, Status          string
	// Text ads carry their copy inline; sponsored content points at a post.
	Headline, Description, Landing string
	Share                          int64
	Created, Modified              time.Time
}

type post struct {
	ID                   int64
	Commentary, Title    string
	Description, Landing string
}

type segment struct {
	ID, Account        int64
	Name, Type, Source string
	Members            map[string]bool // SHA-256 hex of emails
	Created, Modified  time.Time
}

// dataset is the fake's whole account tree. Metrics are not stored: they
// are a pure function of the seed, the campaign, the day and how often
// Mutate revised that day.
type dataset struct {
	seed      uint64
	accounts  []*account
	groups    []*group
	campaigns []*campaign
	creatives []*creative
	posts     map[int64]*post
	segments  []*segment
	revision  map[int64]int // day (Unix seconds) → revisions
	nextID    map[string]int64
	mutations int
	byID      map[int64]*campaign
}

var (
	currencies = []string{"USD", "EUR", "JPY", "GBP"}
	statuses   = []string{"ACTIVE", "ACTIVE", "ACTIVE", "PAUSED", "COMPLETED", "ARCHIVED"}
	adTypes    = []string{"SPONSORED_UPDATES", "SPONSORED_UPDATES", "TEXT_AD", "SPONSORED_INMAILS"}
	words      = []string{"Scale", "Launch", "Grow", "Pipeline", "Cloud", "Insight", "Revenue", "Secure", "Analytics", "Teams"}
)

func newDataset(o Options, now time.Time) *dataset {
	d := &dataset{seed: o.Seed, posts: map[int64]*post{}, revision: map[int64]int{}, byID: map[int64]*campaign{},
		nextID: map[string]int64{"account": firstAccount, "group": firstGroup, "campaign": firstCampaign,
			"creative": firstCreative, "segment": firstSegment, "share": firstShare}}
	rng := rand.New(rand.NewPCG(o.Seed, 0x11)) //nolint:gosec // test data
	today := now.UTC().Truncate(24 * time.Hour)
	for a := range o.Accounts {
		acc := &account{ID: d.id("account"), Name: fmt.Sprintf("Acme Ads %d", a+1),
			Currency: currencies[a%len(currencies)], Status: "ACTIVE",
			Created: today.AddDate(-2, 0, 0), Modified: today.AddDate(0, -1, 0)}
		d.accounts = append(d.accounts, acc)
		for g := range o.CampaignGroups {
			d.groups = append(d.groups, &group{ID: d.id("group"), Account: acc.ID, Name: fmt.Sprintf("%s group %d", acc.Name, g+1),
				Status: statuses[g%len(statuses)], BudgetMinor: int64(100000 + rng.IntN(900000)),
				Created: acc.Created.AddDate(0, 1, g), Modified: today.AddDate(0, 0, -g)})
		}
		for c := range o.Campaigns {
			d.addCampaign(rng, acc, o, today, c)
		}
		for range o.Segments {
			d.addSegment(acc.ID, fmt.Sprintf("Seeded audience %d", len(d.segments)+1), "PARTNER_PLATFORM", today.AddDate(0, -2, 0))
		}
	}
	return d
}

func (d *dataset) id(kind string) int64 {
	id := d.nextID[kind]
	d.nextID[kind]++
	return id
}

func (d *dataset) addCampaign(rng *rand.Rand, acc *account, o Options, today time.Time, n int) *campaign {
	groups := d.groupsOf(acc.ID)
	start := today.AddDate(0, 0, -rng.IntN(o.Days))
	if o.StartAll {
		start = today.AddDate(0, 0, -o.Days)
	}
	c := &campaign{ID: d.id("campaign"), Account: acc.ID, Group: groups[n%len(groups)].ID,
		Name:   fmt.Sprintf("%s %s Q%d #%d", words[rng.IntN(len(words))], words[rng.IntN(len(words))], 1+n%4, n+1),
		Status: statuses[rng.IntN(len(statuses))], Type: adTypes[rng.IntN(len(adTypes))],
		CostType: []string{"CPM", "CPC"}[rng.IntN(2)], DailyBudgetMinor: int64(2000 + rng.IntN(50000)),
		Start: start, Created: start.Add(-48 * time.Hour), Modified: start.Add(time.Duration(rng.IntN(1000)) * time.Minute)}
	d.campaigns = append(d.campaigns, c)
	d.byID[c.ID] = c
	for k := range o.CreativesPerCampaign {
		d.addCreative(rng, c, k)
	}
	return c
}

func (d *dataset) addCreative(rng *rand.Rand, c *campaign, k int) {
	cr := &creative{ID: d.id("creative"), Account: c.Account, Campaign: c.ID, Name: fmt.Sprintf("%s creative %d", c.Name, k+1),
		Status: "ACTIVE", Created: c.Created.Add(time.Hour), Modified: c.Modified.Add(time.Duration(k) * time.Hour)}
	w1, w2 := words[rng.IntN(len(words))], words[rng.IntN(len(words))]
	if c.Type == "TEXT_AD" {
		cr.Headline = fmt.Sprintf("%s your %s", w1, w2)
		cr.Description = fmt.Sprintf("Teams that %s with us see results in weeks.", w2)
		cr.Landing = "https://example.com/lp/" + fmt.Sprint(cr.ID)
	} else {
		p := &post{ID: d.id("share"), Commentary: fmt.Sprintf("%s faster: how leading teams %s their %s. 👉 Read the guide.", w1, w2, words[k%len(words)]),
			Title: fmt.Sprintf("The %s guide", w2), Description: "Free 20-page playbook", Landing: "https://example.com/guide/" + fmt.Sprint(cr.ID)}
		d.posts[p.ID] = p
		cr.Share = p.ID
	}
	d.creatives = append(d.creatives, cr)
}

func (d *dataset) addSegment(acc int64, name, source string, at time.Time) *segment {
	s := &segment{ID: d.id("segment"), Account: acc, Name: name, Type: "USER", Source: source,
		Members: map[string]bool{}, Created: at, Modified: at}
	d.segments = append(d.segments, s)
	return s
}

func (d *dataset) groupsOf(acc int64) []*group {
	var out []*group
	for _, g := range d.groups {
		if g.Account == acc {
			out = append(out, g)
		}
	}
	return out
}

func (d *dataset) account(id int64) *account {
	for _, a := range d.accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// Metric is one campaign-day of delivery as the fake reports it. Cost and
// conversion value are in the account currency with four decimals, as
// LinkedIn's decimal strings carry more precision than minor units.
type Metric struct {
	Impressions, Clicks, Conversions int64
	Cost, ConversionValue            string
}

// metric returns the campaign's delivery on day, or false when it had none.
func (d *dataset) metric(c *campaign, day, today time.Time) (Metric, bool) {
	if day.Before(c.Start) || day.After(today) || c.Status == "DRAFT" {
		return Metric{}, false
	}
	h := mix(d.seed ^ uint64(c.ID)*0x9E3779B97F4A7C15 ^ uint64(day.Unix()) ^ uint64(d.revision[day.Unix()])<<40)
	if h%9 == 0 {
		return Metric{}, false // a quiet day: LinkedIn lists no element
	}
	imps := int64(200 + h%8000)
	clicks := imps * int64(5+(h>>16)%40) / 1000
	conv := clicks * int64((h>>24)%12) / 100
	costTenThousandths := clicks*int64(15000+(h>>32)%90000) + int64((h>>48)%10000)
	value := conv * int64(500000+(h>>40)%2000000)
	return Metric{Impressions: imps, Clicks: clicks, Conversions: conv,
		Cost: decimal4(costTenThousandths), ConversionValue: decimal4(value)}, true
}

func decimal4(v int64) string { return fmt.Sprintf("%d.%04d", v/10000, v%10000) }

// mix is SplitMix64's finaliser: a cheap, well-spread hash.
func mix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}
