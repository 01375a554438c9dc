package manager

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
)

// MaxValueLen bounds every credential and config value, whatever the Spec
// says, so no input can make the validator or a connector hold megabytes.
const MaxValueLen = 8192

// ErrBadSpec: a connector's Spec uses JSON Schema the manager cannot
// enforce. Validation fails closed on it, since an unenforced rule would let
// unchecked input through to the vendor.
var ErrBadSpec = errors.New("connector spec outside the supported schema subset")

// keywords a property schema may use; anything else is refused so that a
// rule the connector relies on is never silently ignored.
var propKeywords = map[string]bool{
	"type": true, "pattern": true, "enum": true, "minLength": true, "maxLength": true,
	"minimum": true, "maximum": true, "format": true, "x-secret": true,
	"title": true, "description": true, "default": true, "examples": true,
}

var objectKeywords = map[string]bool{
	"type": true, "properties": true, "required": true, "additionalProperties": true,
	"title": true, "description": true,
}

// property is one compiled property schema.
type property struct {
	Type      string   `json:"type"`
	Pattern   string   `json:"pattern"`
	Enum      []any    `json:"enum"`
	MinLength *int     `json:"minLength"`
	MaxLength *int     `json:"maxLength"`
	Minimum   *float64 `json:"minimum"`
	Maximum   *float64 `json:"maximum"`
	Format    string   `json:"format"`
	Secret    bool     `json:"x-secret"`

	re *regexp.Regexp
}

// object is one compiled object schema (credentials or config).
type object struct {
	Properties map[string]*property `json:"properties"`
	Required   []string             `json:"required"`
}

// schema is a Spec compiled once for repeated validation.
type schema struct {
	creds, config *object
}

// compile checks a Spec against the supported subset and compiles its
// patterns.
func compile(spec connector.Spec) (*schema, error) {
	creds, err := compileObject(spec.Credentials)
	if err != nil {
		return nil, fmt.Errorf("credentials schema: %w", err)
	}
	config, err := compileObject(spec.Config)
	if err != nil {
		return nil, fmt.Errorf("config schema: %w", err)
	}
	return &schema{creds: creds, config: config}, nil
}

func compileObject(raw map[string]any) (*object, error) {
	if raw == nil {
		return &object{}, nil
	}
	if err := onlyKeywords(raw, objectKeywords); err != nil {
		return nil, err
	}
	if t, ok := raw["type"]; ok && t != "object" {
		return nil, fmt.Errorf("%w: type %v, want object", ErrBadSpec, t)
	}
	if ap, ok := raw["additionalProperties"]; ok && ap != false {
		return nil, fmt.Errorf("%w: additionalProperties must be false or absent", ErrBadSpec)
	}
	var o object
	if err := roundTrip(raw, &o); err != nil {
		return nil, err
	}
	if err := checkProperties(raw, &o); err != nil {
		return nil, err
	}
	for _, name := range o.Required {
		if o.Properties[name] == nil {
			return nil, fmt.Errorf("%w: required %q is not a property", ErrBadSpec, name)
		}
	}
	return &o, nil
}

func checkProperties(raw map[string]any, o *object) error {
	props, _ := raw["properties"].(map[string]any)
	for name, p := range o.Properties {
		if p == nil {
			return fmt.Errorf("%w: property %q has no schema", ErrBadSpec, name)
		}
		if m, ok := props[name].(map[string]any); ok {
			if err := onlyKeywords(m, propKeywords); err != nil {
				return fmt.Errorf("property %q: %w", name, err)
			}
		}
		if err := p.compile(); err != nil {
			return fmt.Errorf("property %q: %w", name, err)
		}
	}
	return nil
}

func (p *property) compile() error {
	switch p.Type {
	case "string", "integer", "boolean":
	default:
		return fmt.Errorf("%w: type %q (want string, integer or boolean)", ErrBadSpec, p.Type)
	}
	if p.Format == "uri" || p.Format == "url" || p.Format == "uri-reference" {
		return fmt.Errorf("%w: format %q: a connection never takes a URL from user input", ErrBadSpec, p.Format)
	}
	if p.Format != "" && p.Format != "email" {
		return fmt.Errorf("%w: format %q", ErrBadSpec, p.Format)
	}
	if p.Pattern != "" {
		re, err := regexp.Compile(p.Pattern)
		if err != nil {
			return fmt.Errorf("%w: pattern: %v", ErrBadSpec, err)
		}
		p.re = re
	}
	return nil
}

func onlyKeywords(m map[string]any, allowed map[string]bool) error {
	for k := range m {
		if !allowed[k] {
			return fmt.Errorf("%w: keyword %q", ErrBadSpec, k)
		}
	}
	return nil
}

// roundTrip decodes a schema written as Go literals ([]string, int) the
// same way as one read from JSON ([]any, float64).
func roundTrip(in map[string]any, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSpec, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSpec, err)
	}
	return nil
}

// SpecProblems reports why a Spec's schemas fall outside the subset the
// manager enforces (nil when they are fine). Connector test suites call it.
func SpecProblems(spec connector.Spec) error {
	_, err := compile(spec)
	return err
}

// Secrets lists the credential properties marked "x-secret", sorted.
func Secrets(spec connector.Spec) []string {
	s, err := compile(spec)
	if err != nil {
		return nil
	}
	var out []string
	for name, p := range s.creds.Properties {
		if p.Secret {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Validate checks credentials and config against the Spec. A failing field
// is reported as an *omnify.FieldError on "body.credentials.<name>" or
// "body.config.<name>" (the first one, in name order, credentials first);
// messages never repeat the value, which may be a secret. A Spec outside
// the supported subset fails with ErrBadSpec.
func Validate(spec connector.Spec, creds, config map[string]string) error {
	s, err := compile(spec)
	if err != nil {
		return fmt.Errorf("validate %s: %w", spec.Platform, err)
	}
	return s.validate(creds, config)
}

func (s *schema) validate(creds, config map[string]string) error {
	if err := s.creds.validate("body.credentials", creds); err != nil {
		return err
	}
	return s.config.validate("body.config", config)
}

func (o *object) validate(prefix string, values map[string]string) error {
	for _, name := range sortedKeys(values) {
		if o.Properties[name] == nil {
			return omnify.Invalid(prefix+"."+name, "unknown field")
		}
	}
	for _, name := range sorted(o.Required) {
		if values[name] == "" {
			return omnify.Invalid(prefix+"."+name, "is required")
		}
	}
	for _, name := range sortedKeys(values) {
		if values[name] == "" {
			continue // an optional field left empty is absent
		}
		if msg := o.Properties[name].check(values[name]); msg != "" {
			return omnify.Invalid(prefix+"."+name, "%s", msg)
		}
	}
	return nil
}

// check returns why v fails p, in plain words, or "".
func (p *property) check(v string) string {
	if len(v) > MaxValueLen {
		return fmt.Sprintf("must be at most %d bytes", MaxValueLen)
	}
	if !utf8.ValidString(v) {
		return "must be valid UTF-8 text"
	}
	if msg := p.checkType(v); msg != "" {
		return msg
	}
	if msg := p.checkLength(v); msg != "" {
		return msg
	}
	if p.re != nil && !p.re.MatchString(v) {
		return "has the wrong format"
	}
	if p.Format == "email" && !emailRE.MatchString(v) {
		return "must be an email address"
	}
	if len(p.Enum) > 0 && !p.inEnum(v) {
		return "must be one of the listed values"
	}
	return ""
}

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func (p *property) checkType(v string) string {
	switch p.Type {
	case "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return "must be a whole number"
		}
		if p.Minimum != nil && float64(n) < *p.Minimum {
			return fmt.Sprintf("must be at least %v", *p.Minimum)
		}
		if p.Maximum != nil && float64(n) > *p.Maximum {
			return fmt.Sprintf("must be at most %v", *p.Maximum)
		}
	case "boolean":
		if v != "true" && v != "false" {
			return "must be true or false"
		}
	}
	return ""
}

func (p *property) checkLength(v string) string {
	n := utf8.RuneCountInString(v)
	if p.MinLength != nil && n < *p.MinLength {
		return fmt.Sprintf("must be at least %d characters", *p.MinLength)
	}
	if p.MaxLength != nil && n > *p.MaxLength {
		return fmt.Sprintf("must be at most %d characters", *p.MaxLength)
	}
	return ""
}

func (p *property) inEnum(v string) bool {
	for _, e := range p.Enum {
		if fmt.Sprint(e) == v {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
