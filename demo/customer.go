package demo

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Customer is one synthetic customer with the latent traits that drove
// their behaviour, so analytics can be checked against the truth.
type Customer struct {
	ID         string
	Email      string // normalised: trimmed and lower-case
	Name       string
	Persona    string
	Platforms  []string   // commerce platform(s) first, then contact platforms
	Identities []Identity // how each platform knows the customer
	Consent    string     // "granted", "denied" or "unknown"
	CreatedAt  time.Time  // the first purchase
	// PurchaseRate is the latent purchase rate λ per week while active.
	PurchaseRate float64
	// DropoutProb is the latent probability of leaving after a purchase.
	DropoutProb float64
	// MeanOrderValue is the latent expected order value in currency units.
	MeanOrderValue float64
}

// Identity is a customer's record on one platform.
type Identity struct {
	Platform   string
	ExternalID string
	Email      string // the platform's spelling; normalises to Customer.Email
}

// Order is one purchase.
type Order struct {
	ID          string
	CustomerID  string
	Platform    string
	PlacedAt    time.Time
	AmountMinor int64 // in the currency's minor unit (cents)
	Currency    string
}

// Consent values.
const (
	ConsentGranted = "granted"
	ConsentDenied  = "denied"
	ConsentUnknown = "unknown"
)

// maxOrdersPerCustomer bounds one customer's orders whatever λ is drawn.
const maxOrdersPerCustomer = 5000

// generator produces customer i of a config; it owns reusable buffers.
type generator struct {
	cfg    Config
	st     *stream
	shares []float64
	days   float64 // length of the period in days
	growth float64 // acquisition growth rate per day
	orders []Order
}

func newGenerator(cfg Config) *generator {
	g := &generator{cfg: cfg, st: newStream()}
	for _, p := range cfg.Personas {
		g.shares = append(g.shares, p.Share)
	}
	g.days = cfg.End.Sub(cfg.Start).Hours() / 24
	g.growth = math.Log1p(cfg.Growth) / 365.25
	return g
}

// customer returns customer i and its orders in time order. The orders
// slice is reused by the next call.
func (g *generator) customer(i int) (Customer, []Order) {
	st := g.st
	st.reset(g.cfg.Seed, domainCustomer, uint64(i))
	p := g.cfg.Personas[st.pick(g.shares)]
	ss := ordinarySeason
	if p.Holiday {
		ss = holidaySeason
	}
	c := Customer{ID: "c" + pad(i+1, 7), Persona: p.Name}
	c.CreatedAt = g.acquire(ss)
	c.PurchaseRate = st.gamma(p.R, p.Alpha)
	c.DropoutProb = st.beta(p.A, p.B)
	nu := st.gamma(p.SpendQ, p.SpendGamma)
	c.MeanOrderValue = p.SpendP / nu
	g.identity(&c, i)
	times := g.purchaseTimes(c, p, ss)
	g.orders = g.orders[:0]
	for n, t := range times {
		g.orders = append(g.orders, Order{
			ID:          c.ID + "-" + strconv.Itoa(n+1),
			CustomerID:  c.ID,
			Platform:    g.orderPlatform(c.Platforms),
			PlacedAt:    t,
			AmountMinor: max(100, int64(math.Round(st.gamma(p.SpendP, nu)*100))),
			Currency:    g.cfg.Currency,
		})
	}
	return c, g.orders
}

// acquire draws a first-purchase time with exponentially growing density,
// thinned by the season.
func (g *generator) acquire(ss season) time.Time {
	for {
		u := g.st.Float64()
		d := u * g.days
		if math.Abs(g.growth) > 1e-12 {
			d = math.Log1p(u*math.Expm1(g.growth*g.days)) / g.growth
		}
		t := g.at(d)
		if ss.accept(g.st, t) {
			return t
		}
	}
}

func (g *generator) at(days float64) time.Time {
	return g.cfg.Start.Add(time.Duration(days * 24 * float64(time.Hour)))
}

// purchaseTimes simulates the purchases from the first one until End or
// drop-out.
func (g *generator) purchaseTimes(c Customer, p Persona, ss season) []time.Time {
	times := []time.Time{c.CreatedAt}
	t := c.CreatedAt.Sub(g.cfg.Start).Hours() / 24
	perDay := c.PurchaseRate / 7
	for len(times) < maxOrdersPerCustomer {
		t = g.nextPurchase(t, perDay, p.Regularity, ss)
		if t >= g.days {
			break
		}
		times = append(times, g.at(t))
		if g.st.Float64() < c.DropoutProb {
			break
		}
	}
	return times
}

// nextPurchase returns the day of the next purchase after day t. Regular
// buyers draw Erlang gaps and ignore the season; the others follow a
// seasonally thinned Poisson process whose average rate is perDay.
func (g *generator) nextPurchase(t, perDay float64, regularity int, ss season) float64 {
	if perDay <= 0 {
		return math.Inf(1)
	}
	if regularity > 1 {
		k := float64(regularity)
		return t + g.st.gamma(k, k*perDay)
	}
	candidate := perDay * ss.peak / ss.mean
	for t < g.days {
		t += g.st.ExpFloat64() / candidate
		if ss.accept(g.st, g.at(t)) {
			return t
		}
	}
	return t
}

func (g *generator) orderPlatform(platforms []string) string {
	if len(platforms) > 1 && platforms[1] == Stripe && g.st.Float64() < 0.3 {
		return Stripe
	}
	return platforms[0]
}

// pad formats n with at least width digits.
func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) >= width {
		return s
	}
	return strings.Repeat("0", width-len(s)) + s
}
