package syncer

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"

	"github.com/omnify-cloud/omnify"
)

// validateObject checks values against a connector Spec's JSON Schema
// object (required properties, types, patterns, enums, lengths, bounds;
// unknown properties refused) and returns them as strings, which is how
// connectors receive them. Errors are FieldErrors under field, e.g.
// "body.credentials.access_token".
func validateObject(schema map[string]any, values map[string]any, field string) (map[string]string, error) {
	props, _ := schema["properties"].(map[string]any)
	for _, name := range stringList(schema["required"]) {
		if v, ok := values[name]; !ok || v == nil || v == "" {
			return nil, omnify.Invalid(field+"."+name, "is required")
		}
	}
	out := make(map[string]string, len(values))
	for _, name := range sortedKeys(values) {
		prop, ok := props[name].(map[string]any)
		if !ok {
			if open, _ := schema["additionalProperties"].(bool); !open {
				return nil, omnify.Invalid(field+"."+name, "is not a setting of this platform")
			}
			prop = map[string]any{}
		}
		s, err := validateValue(prop, values[name], field+"."+name)
		if err != nil {
			return nil, err
		}
		if values[name] != nil {
			out[name] = s
		}
	}
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func stringList(v any) []string {
	switch l := v.(type) {
	case []string:
		return l
	case []any:
		out := make([]string, 0, len(l))
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// validateValue checks one value and returns its string form. Messages
// never repeat the value: it may be a secret.
func validateValue(prop map[string]any, v any, field string) (string, error) {
	if v == nil {
		return "", nil
	}
	typ, _ := prop["type"].(string)
	switch typ {
	case "", "string":
		s, ok := v.(string)
		if !ok {
			return "", omnify.Invalid(field, "must be a string")
		}
		return s, checkString(prop, s, field)
	case "integer", "number":
		return checkNumber(prop, v, typ, field)
	case "boolean":
		b, ok := v.(bool)
		if !ok {
			return "", omnify.Invalid(field, "must be true or false")
		}
		return strconv.FormatBool(b), nil
	}
	return "", omnify.Invalid(field, "has an unsupported type %q", typ)
}

func checkString(prop map[string]any, s, field string) error {
	if n, ok := number(prop["minLength"]); ok && float64(len(s)) < n {
		return omnify.Invalid(field, "must be at least %v characters", n)
	}
	if n, ok := number(prop["maxLength"]); ok && float64(len(s)) > n {
		return omnify.Invalid(field, "must be at most %v characters", n)
	}
	if len(s) > 4096 {
		return omnify.Invalid(field, "is too long")
	}
	if p, ok := prop["pattern"].(string); ok {
		re, err := regexp.Compile(p)
		if err != nil {
			return fmt.Errorf("connector spec pattern of %s: %w", field, err)
		}
		if !re.MatchString(s) {
			return omnify.Invalid(field, "does not have the expected format (%s)", p)
		}
	}
	if enum := stringList(prop["enum"]); len(enum) > 0 && !contains(enum, s) {
		return omnify.Invalid(field, "must be one of %v", enum)
	}
	return nil
}

func checkNumber(prop map[string]any, v any, typ, field string) (string, error) {
	f, ok := number(v)
	if !ok {
		return "", omnify.Invalid(field, "must be a number")
	}
	if typ == "integer" && f != math.Trunc(f) {
		return "", omnify.Invalid(field, "must be a whole number")
	}
	if lo, ok := number(prop["minimum"]); ok && f < lo {
		return "", omnify.Invalid(field, "must be at least %v", lo)
	}
	if hi, ok := number(prop["maximum"]); ok && f > hi {
		return "", omnify.Invalid(field, "must be at most %v", hi)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// secretFields lists the properties of a schema marked "x-secret".
func secretFields(schema map[string]any) []string {
	props, _ := schema["properties"].(map[string]any)
	var out []string
	for _, name := range sortedKeys(props) {
		if p, ok := props[name].(map[string]any); ok && p["x-secret"] == true {
			out = append(out, name)
		}
	}
	return out
}
