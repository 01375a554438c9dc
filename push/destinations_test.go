package push_test

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/gohighlevel"
	"github.com/omnify-cloud/omnify/connector/gohighlevel/gohighleveltest"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
	"github.com/omnify-cloud/omnify/connector/klaviyo"
	"github.com/omnify-cloud/omnify/connector/klaviyo/klaviyotest"
	"github.com/omnify-cloud/omnify/connector/linkedin"
	"github.com/omnify-cloud/omnify/connector/linkedin/linkedintest"
	"github.com/omnify-cloud/omnify/connector/manager"
	"github.com/omnify-cloud/omnify/push"
)

// destination is a real connector against its fake vendor.
type destination struct {
	name string
	// start builds the fake vendor on the test's clock.
	start func(t *testing.T, clk *clock) vendor
	// key is how the vendor's audience names a person: a lower-case email,
	// or its SHA-256 for LinkedIn.
	key func(email string) string
}

// vendor is a fake vendor as the test sees it.
type vendor struct {
	target
	// audience is the vendor's view of an audience.
	audience func(dest string) []string
	// known, when set, makes the person a contact of the vendor already
	// and returns their vendor ID, which the customer graph then holds.
	known func(email string) string
}

func lower(email string) string { return strings.ToLower(email) }

func sha(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// wrapped puts the connector behind the platform manager, as serve does,
// on the test's clock.
func wrapped(c connector.Connector, clk *clock) connector.Connector {
	return manager.Wrap(c, manager.Options{Now: clk.Now, Sleep: clk.Sleep})
}

func targetOf(c connector.Connector, conn connector.Connection, clk *clock) target {
	return target{c: wrapped(c, clk), creds: conn.Credentials, config: conn.Config, baseURL: conn.BaseURL, http: conn.HTTP}
}

var destinations = []destination{
	{name: "Klaviyo list", key: lower, start: func(t *testing.T, clk *clock) vendor {
		srv := klaviyotest.NewServer(t, klaviyotest.Options{Seed: 3, Now: clk.Now})
		return vendor{target: targetOf(klaviyo.New(), srv.Connection(), clk), audience: srv.Audience}
	}},
	{name: "HubSpot static list", key: lower, start: func(t *testing.T, clk *clock) vendor {
		srv := hubspottest.NewServer(t, hubspottest.Options{Seed: 3, Contacts: 4, IntervalMax: 1_000_000, Now: clk.Now})
		return vendor{target: targetOf(hubspot.New(), srv.Connection(), clk), audience: srv.Audience, known: srv.AddContact}
	}},
	{name: "GoHighLevel tag", key: lower, start: func(t *testing.T, clk *clock) vendor {
		srv := gohighleveltest.NewServer(t, gohighleveltest.Options{Seed: 3, Contacts: 4, Burst: 1 << 20, Now: clk.Now})
		return vendor{target: targetOf(gohighlevel.New(), srv.Connection(), clk), audience: srv.Audience, known: srv.AddContact}
	}},
	{name: "LinkedIn matched audience", key: sha, start: func(t *testing.T, clk *clock) vendor {
		srv := linkedintest.NewServer(t, linkedintest.Options{Seed: 3, Now: clk.Now})
		conn := srv.Connection()
		// Creating an audience needs the source platform LinkedIn assigned
		// the app.
		conn.Config = map[string]string{"dmp_source_platform": "OMNIFY_PARTNER"}
		return vendor{target: targetOf(linkedin.New(linkedin.WithClock(clk.Now)), conn, clk), audience: srv.Audience}
	}},
}

// consentMix is a segment of people with every consent situation: granted
// on one platform, granted on two, denied, unknown, and granted on the shop
// but denied on the billing platform (a denial anywhere wins). Fay, granted
// but outside the segment, must not be pushed either.
var consentMix = []person{
	{"shopify", "m1", "Ada.Lovelace@Example.com", "Ada Lovelace", "+14155550101", "granted"},
	{"shopify", "m2", "bob@example.com", "Bob Stone", "", "granted"},
	{"stripe", "cus_bob", "bob@example.com", "Bob Stone", "", "granted"},
	{"shopify", "m3", "cat@example.com", "Cat Jones", "", "granted"},
	{"stripe", "cus_cat", "cat@example.com", "Cat Jones", "", "denied"},
	{"shopify", "m4", "dan@example.com", "Dan Brown", "", "unknown"},
	{"shopify", "m5", "eve@example.com", "Eve Adams", "", "denied"},
	{"shopify", "m6", "gus@example.com", "Gus Grant", "", "granted"},
	{"shopify", "m7", "hal@example.com", "Hal Unknown", "+14155550177", ""},
	{"shopify", "m8", "fay@example.com", "Fay Wray", "", "granted"},
}

var mixSegment = []string{"Ada.Lovelace@Example.com", "bob@example.com", "cat@example.com", "dan@example.com",
	"eve@example.com", "gus@example.com", "hal@example.com"}

// TestNeverPushesWithoutConsent runs real push jobs through each real
// connector, behind the platform manager, against its fake vendor: the
// vendor's audience holds exactly the segment's consented members, before
// and after one of them withdraws consent.
func TestNeverPushesWithoutConsent(t *testing.T) {
	t.Parallel()
	for _, d := range destinations {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			var v vendor
			e := newEnvFor(t, push.Config{MaxBackOffs: 50}, func(clk *clock) target {
				v = d.start(t, clk)
				return v.target
			})
			audience := v.audience
			e.seed(consentMix...)
			segment, consented := mixSegment, []string{"Ada.Lovelace@Example.com", "bob@example.com", "gus@example.com"}
			if v.known != nil {
				// Kim is already the vendor's contact: she goes by her vendor ID.
				platform := v.c.Spec().Platform
				e.seed(person{"shopify", "m9", "kim@example.com", "Kim Known", "", "granted"},
					person{platform, v.known("kim@example.com"), "kim@example.com", "Kim Known", "", "granted"})
				segment, consented = append(segment, "kim@example.com"), append(consented, "kim@example.com")
			}
			e.segment(segment...)
			const dest = "omnify win-back"
			res := result(t, e.runJob(t.Context(), e.start(dest).ID))
			equal(t, "vendor audience", audience(dest), keys(d.key, consented...))
			if res.Added != len(consented) || res.SkippedNoConsent != 4 || res.FailedCount != 0 || res.DestinationID == "" {
				t.Fatalf("result %+v", res)
			}

			// Bob says no on the billing platform: the next push takes him out.
			e.seed(person{"stripe", "cus_bob", "bob@example.com", "Bob Stone", "", "denied"})
			res = result(t, e.runJob(t.Context(), e.start(dest).ID))
			equal(t, "vendor audience after Bob withdrew", audience(dest), keys(d.key, without(consented, "bob@example.com")...))
			if res.Removed != 1 || res.Added != 0 {
				t.Fatalf("second push result %+v", res)
			}
		})
	}
}

func keys(key func(string) string, emails ...string) []string {
	out := make([]string, len(emails))
	for i, m := range emails {
		out[i] = key(m)
	}
	sort.Strings(out)
	return out
}

func without(ss []string, drop string) []string {
	var out []string
	for _, s := range ss {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}
