package linkedintest

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Rest.li 2.0 query values, parsed the way LinkedIn's servers read them:
// List(a,b) is a list, (k:v,k2:v2) a record, anything else a string whose
// reserved characters ( ) , : ' arrive percent-encoded. A URN sent with
// bare colons inside a List or record is a syntax error, as it is at
// LinkedIn.

// List is a parsed Rest.li list.
type List []any

// Record is a parsed Rest.li record.
type Record map[string]any

var errSyntax = errors.New("malformed Rest.li 2.0 value")

// ParseValue parses one Rest.li 2.0 encoded query value (still
// percent-encoded, as it appears in the raw query string).
func ParseValue(raw string) (any, error) {
	p := &parser{s: raw}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, fmt.Errorf("%w: unexpected %q at %d in %q", errSyntax, p.s[p.i:], p.i, raw)
	}
	return v, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) value() (any, error) {
	switch {
	case strings.HasPrefix(p.s[p.i:], "List("):
		p.i += len("List(")
		return p.list()
	case p.i < len(p.s) && p.s[p.i] == '(':
		p.i++
		return p.record()
	}
	return p.leaf()
}

func (p *parser) list() (any, error) {
	out := List{}
	if p.eat(')') {
		return out, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		if p.eat(')') {
			return out, nil
		}
		if !p.eat(',') {
			return nil, fmt.Errorf("%w: list needs , or ) at %d in %q", errSyntax, p.i, p.s)
		}
	}
}

func (p *parser) record() (any, error) {
	out := Record{}
	if p.eat(')') {
		return out, nil
	}
	for {
		k, err := p.leaf()
		if err != nil {
			return nil, err
		}
		if !p.eat(':') {
			return nil, fmt.Errorf("%w: record field %q needs : at %d in %q", errSyntax, k, p.i, p.s)
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		out[k] = v
		if p.eat(')') {
			return out, nil
		}
		if !p.eat(',') {
			return nil, fmt.Errorf("%w: record needs , or ) at %d in %q", errSyntax, p.i, p.s)
		}
	}
}

// leaf reads a string up to the next reserved character and decodes it.
func (p *parser) leaf() (string, error) {
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune("(),:'", rune(p.s[p.i])) {
		p.i++
	}
	if p.i == start {
		return "", fmt.Errorf("%w: empty value at %d in %q", errSyntax, p.i, p.s)
	}
	v, err := url.PathUnescape(p.s[start:p.i])
	if err != nil {
		return "", fmt.Errorf("%w: %v", errSyntax, err)
	}
	return v, nil
}

func (p *parser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// rawQuery splits a raw query string into its still-encoded values, so
// Rest.li structure is not destroyed by a generic decoder. A repeated
// parameter is an error.
func rawQuery(q string) (map[string]string, error) {
	out := map[string]string{}
	if q == "" {
		return out, nil
	}
	for _, part := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("parameter name %q: %w", k, err)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("parameter %q given twice", name)
		}
		out[name] = v
	}
	return out, nil
}

var urnAccount = regexp.MustCompile(`^urn:li:sponsoredAccount:(\d+)$`)

// urnList parses a List of URNs of one type and returns their numeric IDs.
func urnList(raw string, re *regexp.Regexp) ([]string, error) {
	v, err := ParseValue(raw)
	if err != nil {
		return nil, err
	}
	l, ok := v.(List)
	if !ok {
		return nil, fmt.Errorf("%w: want List(...), got %q", errSyntax, raw)
	}
	ids := make([]string, 0, len(l))
	for _, e := range l {
		s, _ := e.(string)
		m := re.FindStringSubmatch(s)
		if m == nil {
			return nil, fmt.Errorf("%w: %q is not a valid URN here", errSyntax, e)
		}
		ids = append(ids, m[1])
	}
	return ids, nil
}

// leafParam parses a parameter that must be a plain string.
func leafParam(raw string) (string, error) {
	v, err := ParseValue(raw)
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: want a plain value, got %q", errSyntax, raw)
	}
	return s, nil
}

// stringsIn reads path (e.g. status, values) of a parsed search record as a
// list of strings; absent means nil.
func stringsIn(v any, path ...string) ([]string, error) {
	for _, k := range path {
		rec, ok := v.(Record)
		if !ok {
			return nil, fmt.Errorf("%w: %s is not a record", errSyntax, k)
		}
		if v, ok = rec[k]; !ok {
			return nil, nil
		}
	}
	l, ok := v.(List)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not a List", errSyntax, strings.Join(path, "."))
	}
	out := make([]string, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %s holds a non-string", errSyntax, strings.Join(path, "."))
		}
		out[i] = s
	}
	return out, nil
}
