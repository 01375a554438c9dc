package identity

import "github.com/omnify-cloud/omnify"

// RollUpConsent is a person's marketing consent given each source's: a
// denial anywhere wins, because sending to someone who said no somewhere is
// the one mistake that cannot be undone; otherwise granted if any source
// granted; otherwise unknown.
func RollUpConsent(cs ...omnify.Consent) omnify.Consent {
	out := omnify.ConsentUnknown
	for _, c := range cs {
		switch c {
		case omnify.ConsentDenied:
			return omnify.ConsentDenied
		case omnify.ConsentGranted:
			out = omnify.ConsentGranted
		}
	}
	return out
}

// ParseConsent maps a platform's consent word to OmniFy's; anything
// unrecognised is unknown.
func ParseConsent(s string) omnify.Consent {
	switch c := omnify.Consent(s); c {
	case omnify.ConsentGranted, omnify.ConsentDenied:
		return c
	}
	return omnify.ConsentUnknown
}
