package shopify_test

import (
	"testing"

	"github.com/omnify-cloud/omnify/connector/shopify"
)

func TestMinorUnits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		amount, cur string
		want        int64
		ok          bool
	}{
		{"12.34", "USD", 1234, true},
		{"12.5", "EUR", 1250, true},
		{"10.0", "USD", 1000, true},
		{"0.01", "USD", 1, true},
		{"1200", "JPY", 1200, true},
		{"1200.0", "JPY", 1200, true},
		{"1.234", "KWD", 1234, true},
		{"-3.00", "USD", -300, true},
		{"0.10000", "USD", 10, true},
		{"92233720368547758.07", "USD", 9223372036854775807, true},
		{"92233720368547758.08", "USD", 0, false},
		{"12.345", "USD", 0, false},
		{"1.5", "JPY", 0, false},
		{"abc", "USD", 0, false},
		{"", "USD", 0, false},
		{"1e3", "USD", 0, false},
		{".5", "USD", 0, false},
		{"1.2.3", "USD", 0, false},
		{"+1.00", "USD", 0, false},
		{" 1.00", "USD", 0, false},
	}
	for _, tc := range cases {
		got, err := shopify.MinorUnits(tc.amount, tc.cur)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("MinorUnits(%q, %s) = %d, %v; want %d ok=%v", tc.amount, tc.cur, got, err, tc.want, tc.ok)
		}
	}
}

func TestConsent(t *testing.T) {
	t.Parallel()
	for state, want := range map[string]string{
		"SUBSCRIBED": "granted", "UNSUBSCRIBED": "denied", "REDACTED": "denied",
		"NOT_SUBSCRIBED": "unknown", "PENDING": "unknown", "INVALID": "unknown", "": "unknown",
	} {
		if got := shopify.Consent(state); got != want {
			t.Errorf("Consent(%q) = %q, want %q", state, got, want)
		}
	}
}
