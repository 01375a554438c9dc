package demo

import (
	"strconv"
	"strings"
)

// Platform identifiers, as used across OmniFy.
const (
	Shopify     = "shopify"
	Stripe      = "stripe"
	HubSpot     = "hubspot"
	Klaviyo     = "klaviyo"
	GoHighLevel = "gohighlevel"
)

var firstNames = []string{"Olivia", "Liam", "Emma", "Noah", "Amelia", "Oliver", "Ava", "Elijah", "Sophia", "Mateo",
	"Isabella", "Lucas", "Mia", "Levi", "Charlotte", "Ethan", "Harper", "James", "Evelyn", "Aiden", "Chloe",
	"Hiro", "Priya", "Kwame", "Fatima", "Lars", "Ines", "Tomasz", "Aisha", "Diego", "Mei", "Yusuf"}

var lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
	"Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Nakamura", "Patel", "Mensah", "Haddad", "Nilsson", "Silva", "Kowalski", "Okafor", "Rossi", "Chen"}

// emailDomains are reserved for documentation (RFC 2606).
var emailDomains = []string{"example.com", "example.net", "example.org"}

// identity fills in the customer's name, email, consent, platforms and
// per-platform identities.
func (g *generator) identity(c *Customer, i int) {
	st := g.st
	first, last := firstNames[st.IntN(len(firstNames))], lastNames[st.IntN(len(lastNames))]
	c.Name = first + " " + last
	c.Email = strings.ToLower(first + "." + last + "." + strconv.FormatInt(int64(i+1), 36) + "@" + emailDomains[st.IntN(len(emailDomains))])
	c.Consent = g.consent()
	c.Platforms = g.platforms()
	c.Identities = make([]Identity, len(c.Platforms))
	for k, p := range c.Platforms {
		c.Identities[k] = Identity{Platform: p, ExternalID: externalID(p, i), Email: g.spell(c.Email, first, last)}
	}
}

func (g *generator) consent() string {
	u := g.st.Float64()
	switch {
	case u < g.cfg.ConsentGranted:
		return ConsentGranted
	case u < g.cfg.ConsentGranted+g.cfg.ConsentDenied:
		return ConsentDenied
	}
	return ConsentUnknown
}

func (g *generator) platforms() []string {
	st, cfg := g.st, g.cfg
	var out []string
	switch u := st.Float64(); {
	case u < cfg.BothCommerceShare:
		out = []string{Shopify, Stripe}
	case u < cfg.BothCommerceShare+cfg.StripeShare:
		out = []string{Stripe}
	default:
		out = []string{Shopify}
	}
	for _, c := range []struct {
		name  string
		share float64
	}{{Klaviyo, cfg.KlaviyoShare}, {HubSpot, cfg.HubSpotShare}, {GoHighLevel, cfg.GoHighLevelShare}} {
		if st.Float64() < c.share {
			out = append(out, c.name)
		}
	}
	return out
}

// spell returns one of the ways platforms store an address: as typed,
// capitalised, or with stray spaces. All normalise to email.
func (g *generator) spell(email, first, last string) string {
	switch g.st.IntN(4) {
	case 1:
		return first + "." + last + email[len(first)+1+len(last):]
	case 2:
		return " " + email + " "
	case 3:
		return strings.ToUpper(email)
	}
	return email
}

// externalID returns the platform's identifier for customer i, in the
// platform's usual shape.
func externalID(platform string, i int) string {
	h := splitmix(uint64(i) ^ 0x6f6d6e69)
	switch platform {
	case Shopify:
		return strconv.FormatInt(7_000_000_000_000+int64(i), 10)
	case Stripe:
		return "cus_" + strconv.FormatUint(h, 36)
	case HubSpot:
		return strconv.FormatInt(1_000_000+int64(i), 10)
	case Klaviyo:
		return "01" + strings.ToUpper(strconv.FormatUint(h, 32))
	}
	return strconv.FormatUint(h, 36) + strconv.Itoa(i)
}
