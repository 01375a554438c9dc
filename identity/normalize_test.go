package identity_test

import (
	"testing"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/identity"
)

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  Ana@Example.COM ", "ana@example.com"},
		{"ana+tag@example.com", "ana+tag@example.com"},
		{`"ana smith"@example.com`, ""}, // a space inside is not something we can match on reliably
		{"ana@localhost", "ana@localhost"},
		{"o'brien@example.ie", "o'brien@example.ie"},
		{"", ""},
		{"not an email", ""},
		{"@example.com", ""},
		{"ana@", ""},
		{"a@b@c.com", ""},
		{"ana\t@example.com", ""},
	} {
		if got := identity.NormalizeEmail(tc.in); got != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	for _, tc := range []struct{ in, region, want string }{
		{"(415) 555-0123", "US", "+14155550123"},
		{"415.555.0123", "us", "+14155550123"},
		{"+1 415 555 0123", "GB", "+14155550123"},
		{"020 7946 0958", "GB", "+442079460958"},
		{"0044 20 7946 0958", "US", "+442079460958"},
		{"'+44 7700 900123", "US", "+447700900123"},
		{"030 123456", "DE", "+4930123456"},
		{"12", "US", ""},
		{"call me", "US", ""},
		{"", "US", ""},
	} {
		if got := identity.NormalizePhone(tc.in, tc.region); got != tc.want {
			t.Errorf("NormalizePhone(%q, %s) = %q, want %q", tc.in, tc.region, got, tc.want)
		}
	}
}

func TestRollUpConsent(t *testing.T) {
	g, d, u := omnify.ConsentGranted, omnify.ConsentDenied, omnify.ConsentUnknown
	for _, tc := range []struct {
		in   []omnify.Consent
		want omnify.Consent
	}{
		{nil, u},
		{[]omnify.Consent{u, u}, u},
		{[]omnify.Consent{u, g}, g},
		{[]omnify.Consent{g, g, d}, d},
		{[]omnify.Consent{d, g}, d},
		{[]omnify.Consent{"", g}, g},
	} {
		if got := identity.RollUpConsent(tc.in...); got != tc.want {
			t.Errorf("RollUpConsent(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
