package importer

import (
	"errors"
	"math"
	"strings"
)

// minorDigits are currencies whose minor unit is not a hundredth (ISO 4217).
var minorDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
	"UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

func exponent(currency string) int {
	if d, ok := minorDigits[currency]; ok {
		return d
	}
	return 2
}

// validCurrency reports whether c looks like an ISO 4217 code.
func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// parseMinor reads a decimal amount ("29.33", "-5", "1200.5") exactly into
// minor units of a currency with the given number of minor digits. Digits
// beyond them must be zeros: money is never rounded silently.
func parseMinor(s string, digits int) (int64, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, errors.New("is not a number")
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, errors.New("is not a decimal number")
	}
	if len(frac) > digits {
		if strings.Trim(frac[digits:], "0") != "" {
			return 0, errors.New("has more decimal places than the currency allows")
		}
		frac = frac[:digits]
	}
	frac += strings.Repeat("0", digits-len(frac))
	var v int64
	for _, r := range whole + frac {
		if v > (math.MaxInt64-9)/10 {
			return 0, errors.New("is too large")
		}
		v = v*10 + int64(r-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
