package identity

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// NormalizeEmail trims and lower-cases an address. Unlike sign-up
// validation it keeps marginal but deliverable addresses (quoted local
// parts, single-label domains, plus tags); it returns "" only for text that
// cannot be an address: no single @ or an empty side, spaces or control
// characters.
func NormalizeEmail(s string) string {
	e := strings.ToLower(strings.TrimSpace(s))
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || len(e) > 254 {
		return ""
	}
	for _, r := range e {
		if r <= ' ' || r == 0x7f {
			return ""
		}
	}
	return e
}

// NormalizePhone returns the number in E.164 (+14155550123), reading
// national formats in defaultRegion (ISO 3166 alpha-2, e.g. "US"), or ""
// when it is not a possible number.
func NormalizePhone(s, defaultRegion string) string {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "'"))
	if s == "" {
		return ""
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	n, err := phonenumbers.Parse(s, strings.ToUpper(defaultRegion))
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}
