package auth_test

import (
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/auth"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want string // want "" means invalid
	}{
		{"  Ana.Silva@Example.COM ", "ana.silva@example.com"},
		{"ops+omnify@shop.co.uk", "ops+omnify@shop.co.uk"},
		{"a@b.io", "a@b.io"},
		{"o'brien@example.ie", "o'brien@example.ie"},
		{"", ""},
		{"   ", ""},
		{"no-at-sign.example.com", ""},
		{"two@@example.com", ""},
		{"a@b@example.com", ""},
		{"user@localhost", ""},
		{"user@example.", ""},
		{"user@.example.com", ""},
		{"user@-example.com", ""},
		{"user@exa_mple.com", ""},
		{"user@[192.0.2.1]", ""},
		{"Ana <ana@example.com>", ""},
		{"ana@example.com (work)", ""},
		{"ana silva@example.com", ""},
		{".ana@example.com", ""},
		{"ana..silva@example.com", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + ".com", "ok-long"},
		{"x@" + strings.Repeat("abcdefghi.", 25) + "com", ""},
	}
	for _, tc := range tests {
		got, err := auth.NormalizeEmail(tc.in)
		switch tc.want {
		case "":
			if err == nil {
				t.Errorf("NormalizeEmail(%q) = %q, want error", tc.in, got)
				continue
			}
			assertFieldError(t, err, "body.email")
		case "ok-long":
			if err != nil || got != strings.ToLower(tc.in) {
				t.Errorf("NormalizeEmail(long) = %q, %v", got, err)
			}
		default:
			if err != nil || got != tc.want {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		}
	}
}
