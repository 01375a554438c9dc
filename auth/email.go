package auth

import (
	"net/mail"
	"strings"

	"github.com/omnify-cloud/omnify"
)

// MaxEmailLen is the longest address SMTP can carry (RFC 5321 path limit).
const MaxEmailLen = 254

// NormalizeEmail trims and lower-cases an address and checks that it is one
// plain address (no display name, no comments) with a dotted domain. The
// error is an omnify.FieldError on body.email.
func NormalizeEmail(s string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(s))
	switch {
	case e == "":
		return "", omnify.Invalid("body.email", "is required")
	case len(e) > MaxEmailLen:
		return "", omnify.Invalid("body.email", "must be at most %d characters", MaxEmailLen)
	case strings.Count(e, "@") != 1:
		return "", omnify.Invalid("body.email", "must contain exactly one @")
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || addr.Name != "" {
		return "", omnify.Invalid("body.email", "is not a valid address")
	}
	local, domain, _ := strings.Cut(e, "@")
	if len(local) > 64 || !validDomain(domain) {
		return "", omnify.Invalid("body.email", "is not a valid address")
	}
	return e, nil
}

// validDomain wants a DNS name with at least two labels of letters, digits
// and inner hyphens; address literals ([1.2.3.4]) are refused.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 {
		return false
	}
	for _, l := range labels {
		if !validLabel(l) {
			return false
		}
	}
	return true
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for _, c := range l {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
