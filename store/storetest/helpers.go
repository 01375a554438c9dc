package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/store"
)

// t0 is deliberately not in UTC and carries nanoseconds, so the suite checks
// that backends convert to UTC and keep at least microseconds.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.FixedZone("UTC+5", 5*3600))

// at returns t0 shifted by d.
func at(d time.Duration) time.Time { return t0.Add(d) }

func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantErr fails unless err wraps kind.
func wantErr(t *testing.T, err, kind error, what string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got error %v, want %v", what, err, kind)
	}
}

// assertEqual compares got with want after canonicalising both: times to
// UTC microseconds, JSON documents to their decoded form, empty collections
// to nil. A time in got that is not in UTC is a mismatch.
func assertEqual(t *testing.T, got, want any, what string) {
	t.Helper()
	g := canon(reflect.ValueOf(got), true)
	w := canon(reflect.ValueOf(want), false)
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s: mismatch:\n%s", what, strings.Join(diff(g, w, "."), "\n"))
	}
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage(nil))
)

func canon(v reflect.Value, strictUTC bool) any {
	if !v.IsValid() {
		return nil
	}
	switch v.Type() {
	case timeType:
		return canonTime(v.Interface().(time.Time), strictUTC)
	case rawType:
		return canonJSON(v.Bytes())
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return canon(v.Elem(), strictUTC)
	case reflect.Struct:
		m := make(map[string]any, v.NumField())
		for i := range v.NumField() {
			m[v.Type().Field(i).Name] = canon(v.Field(i), strictUTC)
		}
		return m
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 {
			return nil
		}
		s := make([]any, v.Len())
		for i := range s {
			s[i] = canon(v.Index(i), strictUTC)
		}
		return s
	case reflect.Map:
		if v.Len() == 0 {
			return nil
		}
		m := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			m[fmt.Sprint(it.Key().Interface())] = canon(it.Value(), strictUTC)
		}
		return m
	}
	return v.Interface()
}

func canonTime(tm time.Time, strictUTC bool) any {
	if tm.IsZero() {
		return "zero time"
	}
	s := tm.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	if strictUTC && tm.Location() != time.UTC {
		return "NOT UTC " + s
	}
	return s
}

func canonJSON(b []byte) any {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		return "INVALID JSON " + string(b)
	}
	return x
}

// diff lists the paths where two canonical values differ.
func diff(g, w any, path string) []string {
	gm, gok := g.(map[string]any)
	wm, wok := w.(map[string]any)
	if gok && wok {
		keys := map[string]bool{}
		for k := range gm {
			keys[k] = true
		}
		for k := range wm {
			keys[k] = true
		}
		var sorted []string
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		var out []string
		for _, k := range sorted {
			out = append(out, diff(gm[k], wm[k], path+k+".")...)
		}
		return out
	}
	gs, gok := g.([]any)
	ws, wok := w.([]any)
	if gok && wok && len(gs) == len(ws) {
		var out []string
		for i := range gs {
			out = append(out, diff(gs[i], ws[i], fmt.Sprintf("%s[%d].", path, i))...)
		}
		return out
	}
	if reflect.DeepEqual(g, w) {
		return nil
	}
	return []string{fmt.Sprintf("  %s got %v, want %v", strings.TrimSuffix(path, "."), g, w)}
}

// walk reads every page of a listing with the given limit and returns the
// records in order with the number of pages. It fails on a cursor loop.
func walk[T any](t *testing.T, limit int, list func(store.Page) ([]T, string, error)) ([]T, int) {
	t.Helper()
	var all []T
	p := store.Page{Limit: limit}
	for pages := 1; ; pages++ {
		got, next, err := list(p)
		must(t, err, fmt.Sprintf("list page %d", pages))
		if len(got) > limit {
			t.Fatalf("page %d has %d records, limit %d", pages, len(got), limit)
		}
		all = append(all, got...)
		if next == "" {
			return all, pages
		}
		if len(got) == 0 {
			t.Fatalf("page %d is empty but has a next cursor", pages)
		}
		if pages > 10000 {
			t.Fatal("pagination does not end")
		}
		p.After = next
	}
}

// wantPages fails unless a walk took at least min pages.
func wantPages(t *testing.T, pages, min int) {
	t.Helper()
	if pages < min {
		t.Fatalf("walked %d pages, want at least %d", pages, min)
	}
}

// wantSameSet fails unless got holds exactly the IDs of want, each once.
func wantSameSet(t *testing.T, got, want []string, what string) {
	t.Helper()
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s: %s seen %d times", what, id, n)
		}
	}
	for _, id := range want {
		if seen[id] == 0 {
			t.Errorf("%s: %s missing", what, id)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: got %d records, want %d", what, len(got), len(want))
	}
}

func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

// badCursor is a cursor no backend can have produced.
const badCursor = "!!not a cursor!!"
