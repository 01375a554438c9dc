package store

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCanonicalJSON(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		same       bool
	}{
		{"KeyOrder", `{"A":1,"B":"x"}`, `{"B":"x","A":1}`, true},
		{"EmptyListIsAbsent", `{"A":[],"B":1}`, `{"B":1}`, true},
		{"NullIsEmptyList", `{"A":null}`, `{"A":[]}`, true},
		{"EmptyMapAndString", `{"A":{},"B":"","C":{"D":null}}`, `{}`, true},
		{"NestedDocuments", `{"P":{"x":1, "y":[1,2]}}`, `{"P":{"y":[1,2],"x":1}}`, true},
		{"BigNumbersKept", `{"N":12345678901234567890}`, `{"N":12345678901234567891}`, false},
		{"ValueDiffers", `{"A":"x"}`, `{"A":"y"}`, false},
		{"ZeroIsNotAbsent", `{"A":0}`, `{}`, false},
		{"ListOrderMatters", `{"A":[1,2]}`, `{"A":[2,1]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := CanonicalJSON(json.RawMessage(tc.a))
			if err != nil {
				t.Fatal(err)
			}
			b, err := CanonicalJSON(json.RawMessage(tc.b))
			if err != nil {
				t.Fatal(err)
			}
			if (string(a) == string(b)) != tc.same {
				t.Fatalf("%s vs %s: same=%v, want %v", a, b, string(a) == string(b), tc.same)
			}
		})
	}
	if _, err := CanonicalJSON(json.RawMessage(`{"A":`)); err == nil {
		t.Fatal("malformed JSON: no error")
	}
}

func TestItemDecodeNamesItem(t *testing.T) {
	it := Item{Kind: KindCustomer, Key: "o/c", Data: json.RawMessage(`{"ID":1}`)}
	var v struct{ ID string }
	err := it.Decode(&v)
	if err == nil || !containsAll(err.Error(), "customer", "o/c") {
		t.Fatalf("decode error %v does not name the item", err)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
