package linkedin

import (
	"strconv"
	"strings"
	"time"
)

// Rest.li 2.0 query encoding. Structure is written with literal
// parentheses, commas and colons; every string inside is percent-encoded
// so that a URN's colons read as data (urn%3Ali%3AsponsoredAccount%3A1).
// Generic URL encoders get this wrong both ways, so queries are built here.

// rlList is List(a,b,...).
type rlList []any

// rlField is one key:value of a record.
type rlField struct {
	key string
	val any
}

// rlRecord is (k:v,...), in the order given.
type rlRecord []rlField

// encodeRestli writes v in Rest.li 2.0 form.
func encodeRestli(v any) string {
	var b strings.Builder
	writeRestli(&b, v)
	return b.String()
}

func writeRestli(b *strings.Builder, v any) {
	switch x := v.(type) {
	case rlList:
		b.WriteString("List(")
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeRestli(b, e)
		}
		b.WriteByte(')')
	case rlRecord:
		b.WriteByte('(')
		for i, f := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(escapeRestli(f.key))
			b.WriteByte(':')
			writeRestli(b, f.val)
		}
		b.WriteByte(')')
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case string:
		b.WriteString(escapeRestli(x))
	default:
		panic("linkedin: unsupported Rest.li value")
	}
}

// escapeRestli percent-encodes every byte but the unreserved ones.
func escapeRestli(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

// query is an ordered list of parameters with values already encoded.
type query []rlField

// add appends a parameter whose value is Rest.li encoded.
func (q query) add(name string, v any) query { return append(q, rlField{name, encodeRestli(v)}) }

// raw appends a parameter whose value is written as is (fields lists).
func (q query) raw(name, v string) query { return append(q, rlField{name, v}) }

func (q query) String() string {
	parts := make([]string, len(q))
	for i, f := range q {
		parts[i] = escapeRestli(f.key) + "=" + f.val.(string)
	}
	return strings.Join(parts, "&")
}

// restliDate is (year:Y,month:M,day:D).
func restliDate(t time.Time) rlRecord {
	return rlRecord{{"year", t.Year()}, {"month", int(t.Month())}, {"day", t.Day()}}
}

// URN helpers.
func accountURN(id int64) string { return "urn:li:sponsoredAccount:" + strconv.FormatInt(id, 10) }

// urnID returns the numeric tail of a URN of the given type
// ("urn:li:sponsoredCampaign:123" → "123").
func urnID(urn, typ string) (string, bool) {
	rest, ok := strings.CutPrefix(urn, "urn:li:"+typ+":")
	if !ok || rest == "" {
		return "", false
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return "", false
		}
	}
	return rest, true
}
