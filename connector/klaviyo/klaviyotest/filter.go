package klaviyotest

import (
	"fmt"
	"strings"
	"time"
)

// cond is one filter condition, e.g. greater-than(updated,2025-01-01T00:00:00Z).
type cond struct {
	op, field string
	vals      []string
}

// parseFilter parses Klaviyo's filter syntax: one condition, or several
// combined with and(...). Values are quoted strings, bare timestamps,
// numbers or booleans, or a [...] list of them.
func parseFilter(s string) ([]cond, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if inner, ok := call(s, "and"); ok {
		var out []cond
		for _, part := range splitTop(inner) {
			cs, err := parseFilter(part)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		}
		return out, nil
	}
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return nil, fmt.Errorf("invalid filter provided: %q", s)
	}
	op := s[:open]
	args := splitTop(s[open+1 : len(s)-1])
	if len(args) != 2 {
		return nil, fmt.Errorf("invalid filter provided: %s expects a field and a value", op)
	}
	vals, err := parseValues(args[1])
	if err != nil {
		return nil, err
	}
	return []cond{{op: op, field: strings.TrimSpace(args[0]), vals: vals}}, nil
}

func call(s, name string) (string, bool) {
	if strings.HasPrefix(s, name+"(") && strings.HasSuffix(s, ")") {
		return s[len(name)+1 : len(s)-1], true
	}
	return "", false
}

// splitTop splits on commas outside quotes, brackets and parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

func parseValues(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		if !strings.HasSuffix(s, "]") {
			return nil, fmt.Errorf("invalid filter provided: unterminated list %q", s)
		}
		var out []string
		for _, v := range splitTop(s[1 : len(s)-1]) {
			if v == "" {
				continue
			}
			u, err := unquote(v)
			if err != nil {
				return nil, err
			}
			out = append(out, u)
		}
		return out, nil
	}
	u, err := unquote(s)
	return []string{u}, err
}

func unquote(v string) (string, error) {
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') {
		if v[len(v)-1] != v[0] {
			return "", fmt.Errorf("invalid filter provided: unterminated string %s", v)
		}
		return v[1 : len(v)-1], nil
	}
	return v, nil
}

// filterTime parses a timestamp filter value.
func filterTime(field, v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid filter provided: %s needs a datetime, got %q", field, v)
}

// allowed maps a field to the operators an endpoint's filter accepts, as
// the spec lists them.
type allowed map[string][]string

func (a allowed) check(cs []cond) error {
	for _, c := range cs {
		ops, ok := a[c.field]
		if !ok {
			return fmt.Errorf("'%s' is not a valid field for the resource", c.field)
		}
		found := false
		for _, op := range ops {
			found = found || op == c.op
		}
		if !found {
			return fmt.Errorf("'%s' is not a valid operator for field '%s'", c.op, c.field)
		}
		if c.op != "any" && len(c.vals) != 1 {
			return fmt.Errorf("'%s' takes one value", c.op)
		}
		if c.op == "any" && len(c.vals) > 100 {
			return fmt.Errorf("'any' accepts at most 100 values")
		}
	}
	return nil
}
