package connectortest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

func testFullRead(t *testing.T, h Harness, s connector.Stream) {
	var rec recorder
	if err := h.New().Read(readCtx(t), h.Connection(t), s.Name, nil, &rec); err != nil {
		t.Fatalf("full read of %s: %v", s.Name, err)
	}
	evs := rec.transcript()
	recs := records(evs)
	if want := h.Expected(t, s.Name); len(recs) != want {
		t.Errorf("full read of %s emitted %d records, the vendor has %d", s.Name, len(recs), want)
	}
	checkRecords(t, s, recs)
	checkCheckpoints(t, s, evs, len(recs))
}

// checkRecords checks each record's identity and payload.
func checkRecords(t *testing.T, s connector.Stream, recs []connector.Record) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range recs {
		switch {
		case r.ExternalID == "":
			t.Errorf("%s: a record has no external ID", s.Name)
		case seen[r.ExternalID]:
			t.Errorf("%s: record %s emitted twice in one read", s.Name, r.ExternalID)
		case r.Stream != s.Name:
			t.Errorf("%s: record %s says it belongs to stream %q", s.Name, r.ExternalID, r.Stream)
		case payloads(r) > 1 || (payloads(r) == 0 && !r.Deleted):
			t.Errorf("%s: record %s has %d payloads, want exactly one", s.Name, r.ExternalID, payloads(r))
		case s.Incremental && r.UpdatedAt.IsZero():
			t.Errorf("%s: record %s of an incremental stream has no update time", s.Name, r.ExternalID)
		}
		seen[r.ExternalID] = true
	}
}

func payloads(r connector.Record) int {
	n := 0
	for _, set := range []bool{r.Customer != nil, r.Order != nil, r.Product != nil, r.Subscription != nil, r.Invoice != nil,
		r.Campaign != nil, r.CampaignMetric != nil, r.Event != nil, r.Object != nil} {
		if set {
			n++
		}
	}
	return n
}

// checkCheckpoints checks that a read checkpoints, with JSON states, and
// that an incremental read's last checkpoint covers every record.
func checkCheckpoints(t *testing.T, s connector.Stream, evs []event, nrecs int) {
	t.Helper()
	checkpoints := 0
	for _, e := range evs {
		if e.rec == nil {
			checkpoints++
			if !json.Valid(e.state) {
				t.Errorf("%s: checkpoint %d is not JSON: %q", s.Name, checkpoints, e.state)
			}
		}
	}
	if nrecs > 0 && checkpoints == 0 {
		t.Errorf("%s: %d records and no checkpoint", s.Name, nrecs)
	}
	if _, trailing := lastState(evs); s.Incremental && trailing > 0 {
		t.Errorf("%s: %d records follow the last checkpoint; the next sync would read them again", s.Name, trailing)
	}
}

// testMonotonic checks that the records between two checkpoints are never
// older than those before the earlier one: resuming from that checkpoint
// would skip them.
func testMonotonic(t *testing.T, h Harness, s connector.Stream) {
	if !s.Incremental {
		t.Skipf("%s reads in full; it has no state to move", s.Name)
	}
	if h.Features.FullReadByPosition[s.Name] {
		t.Skipf("%s resumes a full read by list position; the incremental subtest checks its order", s.Name)
	}
	var rec recorder
	if err := h.New().Read(readCtx(t), h.Connection(t), s.Name, nil, &rec); err != nil {
		t.Fatalf("full read of %s: %v", s.Name, err)
	}
	checkOrder(t, s.Name, rec.transcript())
}

// checkOrder fails when a checkpoint covers a record older than one before
// the previous checkpoint: resuming there would skip it.
func checkOrder(t *testing.T, stream string, evs []event) {
	t.Helper()
	var prev time.Time // newest record before the last checkpoint
	var seg []connector.Record
	n := 0
	for _, e := range evs {
		if e.rec != nil {
			seg = append(seg, *e.rec)
			continue
		}
		n++
		for _, r := range seg {
			if r.UpdatedAt.Before(prev) {
				t.Errorf("%s: checkpoint %d covers record %s updated %s, older than %s before the previous checkpoint: the state moved backwards",
					stream, n, r.ExternalID, r.UpdatedAt.Format(time.RFC3339), prev.Format(time.RFC3339))
				return
			}
		}
		if t2 := newest(seg); t2.After(prev) {
			prev = t2
		}
		seg = nil
	}
}

func testIncremental(t *testing.T, h Harness) {
	var streams []connector.Stream
	for _, s := range h.New().Streams() {
		if s.Incremental {
			streams = append(streams, s)
		}
	}
	if len(streams) == 0 {
		t.Skip("no incremental stream")
	}
	if h.Mutate == nil {
		t.Fatal("connectortest: Harness.Mutate is required for incremental streams")
	}
	type base struct {
		state  json.RawMessage
		newest time.Time
		seen   map[string]time.Time // update time by ID
	}
	bases := map[string]base{}
	for _, s := range streams {
		evs := read(t, h, s.Name, nil)
		state, _ := lastState(evs)
		b := base{state: state, newest: newest(records(evs)), seen: map[string]time.Time{}}
		for _, r := range records(evs) {
			b.seen[r.ExternalID] = r.UpdatedAt
		}
		bases[s.Name] = b
	}
	h.Mutate(t)
	total := 0
	for _, s := range streams {
		evs := read(t, h, s.Name, bases[s.Name].state)
		recs := records(evs)
		total += len(recs)
		checkRecords(t, s, recs)
		checkOrder(t, s.Name, evs)
		for _, r := range recs {
			if r.UpdatedAt.Before(bases[s.Name].newest) {
				t.Errorf("%s: incremental read emitted %s updated %s, older than the saved state (%s)", s.Name,
					r.ExternalID, r.UpdatedAt.Format(time.RFC3339), bases[s.Name].newest.Format(time.RFC3339))
				break
			}
		}
		checkPickedUp(t, h, s.Name, bases[s.Name].seen, recs)
	}
	if total == 0 {
		t.Errorf("incremental reads after Mutate emitted nothing")
	}
}

// checkPickedUp reads the stream in full after Mutate and expects every
// record that is new or newer than before to be in the incremental read.
func checkPickedUp(t *testing.T, h Harness, stream string, before map[string]time.Time, inc []connector.Record) {
	t.Helper()
	after := records(read(t, h, stream, nil))
	if want := h.Expected(t, stream); len(after) != want {
		t.Errorf("%s: full read after Mutate emitted %d records, the vendor has %d", stream, len(after), want)
	}
	got := map[string]bool{}
	for _, r := range inc {
		got[r.ExternalID] = true
	}
	for _, r := range after {
		was, ok := before[r.ExternalID]
		if (!ok || r.UpdatedAt.After(was)) && !got[r.ExternalID] {
			t.Errorf("%s: record %s changed after the saved state but the incremental read missed it", stream, r.ExternalID)
		}
	}
}

// read reads a stream from state and returns the transcript.
func read(t *testing.T, h Harness, stream string, state json.RawMessage) []event {
	t.Helper()
	var rec recorder
	if err := h.New().Read(readCtx(t), h.Connection(t), stream, state, &rec); err != nil {
		t.Fatalf("read %s from %s: %v", stream, state, err)
	}
	return rec.transcript()
}
