package api

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"

	"github.com/omnify-cloud/omnify"
)

// Branding is how the dashboard presents an org. Empty fields mean the
// product's defaults.
type Branding struct {
	DisplayName  string `json:"display_name" doc:"Shown in the dashboard instead of the organisation's name when set."`
	PrimaryColor string `json:"primary_color" doc:"#rrggbb; white text on it has a contrast of at least 4.5:1."`
	LogoURL      string `json:"logo_url" doc:"A data: URL of a PNG, JPEG, GIF or WebP image of at most 64 KiB."`
}

// BrandingPatch changes branding fields; an absent field is kept, an empty
// string resets it to the default.
type BrandingPatch struct {
	DisplayName *string `json:"display_name,omitempty" maxLength:"100"`
	// #rrggbb, case-insensitive; stored lower-case.
	PrimaryColor *string `json:"primary_color,omitempty" maxLength:"7" doc:"#rrggbb; must leave white text readable (contrast ≥ 4.5:1)."`
	// Logos are embedded as data: URLs rather than linked, so the dashboard
	// loads nothing from third parties (its content security policy allows
	// images from itself and data: only) and a logo cannot change or track
	// viewers after it was set.
	LogoURL *string `json:"logo_url,omitempty" maxLength:"90000" doc:"data:image/png|jpeg|gif|webp;base64,… of at most 64 KiB decoded."`
}

// MaxLogoBytes bounds a logo image.
const MaxLogoBytes = 64 << 10

// MinContrast is the WCAG AA contrast for normal text that white text on
// the primary colour must reach.
const MinContrast = 4.5

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

func brandingView(b omnify.Branding) Branding {
	return Branding{DisplayName: b.DisplayName, PrimaryColor: b.PrimaryColor, LogoURL: b.LogoURL}
}

// apply validates p and applies it to b.
func (p *BrandingPatch) apply(b *omnify.Branding) error {
	if p.DisplayName != nil {
		b.DisplayName = strings.TrimSpace(*p.DisplayName)
	}
	if p.PrimaryColor != nil {
		c, err := checkColor(strings.TrimSpace(*p.PrimaryColor))
		if err != nil {
			return err
		}
		b.PrimaryColor = c
	}
	if p.LogoURL != nil {
		if err := checkLogo(*p.LogoURL); err != nil {
			return err
		}
		b.LogoURL = *p.LogoURL
	}
	return nil
}

// checkColor accepts "" (the default) or a #rrggbb readable under white text.
func checkColor(c string) (string, error) {
	const field = "body.branding.primary_color"
	if c == "" {
		return "", nil
	}
	if !hexColor.MatchString(c) {
		return "", omnify.Invalid(field, "must be a colour written #rrggbb, e.g. #1f4e79")
	}
	c = strings.ToLower(c)
	if r := ContrastWithWhite(c); r < MinContrast {
		return "", omnify.Invalid(field, "white text on %s has a contrast of %.2f:1, below the 4.5:1 needed to stay readable; choose a darker colour", c, r)
	}
	return c, nil
}

// ContrastWithWhite is the WCAG 2 contrast ratio of white against the
// #rrggbb colour c.
func ContrastWithWhite(c string) float64 {
	var r, g, b uint8
	if _, err := fmt.Sscanf(c, "#%02x%02x%02x", &r, &g, &b); err != nil {
		return 1
	}
	l := 0.2126*channel(r) + 0.7152*channel(g) + 0.0722*channel(b)
	return 1.05 / (l + 0.05)
}

// channel linearises one sRGB channel.
func channel(v uint8) float64 {
	c := float64(v) / 255
	if c <= 0.04045 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}

// checkLogo accepts "" or a base64 data: URL of a small raster image whose
// bytes are what its type says (no SVG: it can carry scripts).
func checkLogo(u string) error {
	const field = "body.branding.logo_url"
	if u == "" {
		return nil
	}
	meta, data, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	mime, isB64 := strings.CutSuffix(meta, ";base64")
	if !strings.HasPrefix(u, "data:") || !ok || !isB64 || !logoTypes[mime] {
		return omnify.Invalid(field, "must be a data:image/png, jpeg, gif or webp URL in base64 (upload the file; links to other sites are not accepted)")
	}
	img, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return omnify.Invalid(field, "the image data is not valid base64")
	}
	if len(img) > MaxLogoBytes {
		return omnify.Invalid(field, "the image is %d KiB; logos may be at most 64 KiB", (len(img)+1023)/1024)
	}
	if got := http.DetectContentType(img); got != mime {
		return omnify.Invalid(field, "the data is not a %s image", mime)
	}
	return nil
}
