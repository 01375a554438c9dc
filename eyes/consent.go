package eyes

import omnify "github.com/omnify-cloud/omnify"

// ConsentCounts tallies customers by marketing-consent state. Every customer
// counts in the analysis; only Granted ones may be exported or pushed to a
// marketing platform. Malformed counts records whose consent field could not
// be read (those customers count as Unknown too).
type ConsentCounts struct {
	Granted   int `json:"granted"`
	Denied    int `json:"denied"`
	Unknown   int `json:"unknown"`
	Malformed int `json:"malformed"`
}

// CountConsent tallies the consent states of customers. A state outside the
// three known ones counts as both Unknown and Malformed.
func CountConsent(cs []Customer) ConsentCounts {
	var n ConsentCounts
	for i := range cs {
		switch cs[i].Consent {
		case omnify.ConsentGranted:
			n.Granted++
		case omnify.ConsentDenied:
			n.Denied++
		case omnify.ConsentUnknown, "":
			n.Unknown++
		default:
			n.Unknown++
			n.Malformed++
		}
	}
	return n
}

// Exportable reports whether a customer may be exported or pushed to a
// marketing platform: only an explicit grant allows it.
func Exportable(c omnify.Consent) bool { return c == omnify.ConsentGranted }

func normalConsent(c omnify.Consent) omnify.Consent {
	if c.Valid() {
		return c
	}
	return omnify.ConsentUnknown
}
