package hubspot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/hubspot"
	"github.com/omnify-cloud/omnify/connector/hubspot/hubspottest"
)

// fakeClock is shared by the connector and the fake portal's limits.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }

func (f *fakeClock) Advance(d time.Duration) { f.mu.Lock(); defer f.mu.Unlock(); f.t = f.t.Add(d) }

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)} }

// drive reads until done, resuming from the last checkpoint after every
// back-off and advancing the clock by its wait, as the manager would.
func drive(t *testing.T, c *hubspot.Connector, conn connector.Connection, clk *fakeClock, stream string, state json.RawMessage, e *collector) []*connector.BackOffError {
	t.Helper()
	var bos []*connector.BackOffError
	for range 1000 {
		err := c.Read(context.Background(), conn, stream, state, e)
		if err == nil {
			return bos
		}
		bo := backOff(t, err)
		bos = append(bos, bo)
		clk.Advance(bo.Wait)
		if last := e.last(); last != nil {
			state = last
		}
	}
	t.Fatalf("read %s did not finish", stream)
	return nil
}

func since(ms int64) json.RawMessage { return json.RawMessage(fmt.Sprintf(`{"since":%d}`, ms)) }

// More changed contacts than one search query can page through: every
// query starts at the newest modification read so far, so none goes deep.
func TestSearchReadsPastTheCap(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 10300, Seed: 5, IntervalMax: 1000000, SearchPerSecond: 1000000})
	e := &collector{}
	if err := hubspot.New().Read(context.Background(), srv.Connection(), hubspot.StreamContacts, since(1), e); err != nil {
		t.Fatal(err)
	}
	if got := len(e.ids(t)); got != 10300 || e.total != 10300 {
		t.Fatalf("%d contacts (total %d), want 10300", got, e.total)
	}
	if st := e.state(t); st.Offset != 0 || st.Since != e.records[len(e.records)-1].UpdatedAt.UnixMilli() {
		t.Fatalf("final state %+v", st)
	}
	if n := srv.Stats().Searches; n < 52 || n > 60 {
		t.Errorf("%d search requests for 10,300 contacts in pages of 200", n)
	}
}

// Objects sharing one modification time are paged by offset, and a read
// resumed from a checkpoint inside the run emits only the rest.
func TestSearchPagesThroughTies(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 700, Seed: 6, IntervalMax: 1000000, SearchPerSecond: 1000000})
	at := srv.SetAllModified(hubspottest.Contacts, 450)
	e := &collector{}
	c := hubspot.New()
	if err := c.Read(context.Background(), srv.Connection(), hubspot.StreamContacts, since(at.UnixMilli()), e); err != nil {
		t.Fatal(err)
	}
	if got := len(e.ids(t)); got != 450 {
		t.Fatalf("%d contacts, want the 450 modified at %s", got, at)
	}
	var mid json.RawMessage
	for _, cp := range e.checkpoints {
		if bytes.Contains(cp, []byte(`"offset":200`)) {
			mid = cp
		}
	}
	if mid == nil {
		t.Fatalf("no checkpoint inside the run: %s", e.checkpoints)
	}
	rest := &collector{}
	if err := c.Read(context.Background(), srv.Connection(), hubspot.StreamContacts, mid, rest); err != nil {
		t.Fatal(err)
	}
	if len(rest.records) != 250 {
		t.Fatalf("resumed at %s: %d contacts, want 250", mid, len(rest.records))
	}
}

// More objects at one millisecond than search can page is a permanent
// error, not a loop.
func TestSearchTooManyTies(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 10100, Seed: 7, IntervalMax: 1000000, SearchPerSecond: 1000000})
	at := srv.SetAllModified(hubspottest.Contacts, 10100)
	err := hubspot.New().Read(context.Background(), srv.Connection(), hubspot.StreamContacts, since(at.UnixMilli()), &collector{})
	if !errors.Is(err, connector.ErrPermanent) {
		t.Fatalf("read = %v, want ErrPermanent", err)
	}
}

// The fake refuses a search page past 10,000 results with HubSpot's 400,
// and pages bigger than HubSpot allows.
func TestFakeEnforcesSearchLimits(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 10, IntervalMax: 1000000, SearchPerSecond: 1000000})
	for _, tc := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"filterGroups":[],"sorts":[],"properties":[],"limit":200,"after":"9900"}`, 400, "VALIDATION_ERROR"},
		{`{"filterGroups":[],"sorts":[],"properties":[],"limit":201,"after":"0"}`, 400, "VALIDATION_ERROR"},
		{`{"filterGroups":[],"sorts":[],"properties":[],"limit":200,"after":"9800"}`, 200, `"total":10`},
		{`{"limit":10,"bogus":1}`, 400, "VALIDATION_ERROR"},
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/crm/v3/objects/contacts/search", strings.NewReader(tc.body))
		req.Header.Set("Authorization", "Bearer "+srv.Options().Token)
		req.Header.Set("Content-Type", "application/json")
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: %d %s", tc.body, res.StatusCode, body)
		}
	}
}

// HubSpot's limits come back as back-offs whose waits follow the limit
// hit; the read resumes from its checkpoint and finishes.
func TestRateLimitsBackOff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		opts     hubspottest.Options
		state    json.RawMessage
		wantWait time.Duration
		reason   string
	}{
		{"rolling ten seconds", hubspottest.Options{IntervalMax: 2}, nil, time.Second, "rate limit"},
		{"search per second", hubspottest.Options{IntervalMax: 1000, SearchPerSecond: 2}, since(1), 500 * time.Millisecond, "search"},
		{"daily", hubspottest.Options{DailyMax: 2}, nil, 12 * time.Hour, "daily"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			o := tc.opts
			o.Contacts, o.Seed, o.Now = 950, 11, clk.Now
			srv := hubspottest.NewServer(t, o)
			c := hubspot.New(hubspot.WithClock(clk.Now))
			e := &collector{}
			bos := drive(t, c, srv.Connection(), clk, hubspot.StreamContacts, tc.state, e)
			if len(bos) == 0 {
				t.Fatal("the limit never bit")
			}
			if bos[0].Wait != tc.wantWait || !strings.Contains(strings.ToLower(bos[0].Reason), tc.reason) {
				t.Errorf("first back-off %s %q, want %s mentioning %q", bos[0].Wait, bos[0].Reason, tc.wantWait, tc.reason)
			}
			// A resumed read re-reads the objects at its checkpoint's
			// time: count distinct ones.
			if got := len(distinct(e.records)); got != 950 {
				t.Fatalf("%d contacts after %d back-offs, want 950", got, len(bos))
			}
		})
	}
}

// Every fault the fake injects is classified: auth refusals as ErrAuth,
// the rest as back-offs.
func TestFaultsClassified(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 3, IntervalMax: 100000})
	for _, k := range []hubspottest.FaultKind{hubspottest.Fault429, hubspottest.Fault500, hubspottest.Fault502,
		hubspottest.Fault503, hubspottest.FaultTruncated, hubspottest.FaultMalformed} {
		srv.Inject(hubspottest.Fault{Kind: k}, 1)
		backOff(t, hubspot.New().Check(context.Background(), srv.Connection()))
	}
	srv.Inject(hubspottest.Fault{Kind: hubspottest.Fault429, RetryAfter: 7}, 1)
	if bo := backOff(t, hubspot.New().Check(context.Background(), srv.Connection())); bo.Wait != 7*time.Second {
		t.Errorf("Retry-After 7 gave a wait of %s", bo.Wait)
	}
	conn := srv.Connection()
	conn.Credentials["access_token"] = "pat-na1-wrong"
	if err := hubspot.New().Check(context.Background(), conn); !errors.Is(err, connector.ErrAuth) {
		t.Errorf("refused token: %v", err)
	}
}

func distinct(recs []connector.Record) map[string]bool {
	out := map[string]bool{}
	for _, r := range recs {
		out[r.ExternalID] = true
	}
	return out
}

// hookEmitter runs fn before the n-th record.
type hookEmitter struct {
	*collector
	n  int
	fn func()
}

func (h *hookEmitter) Record(ctx context.Context, r connector.Record) error {
	if len(h.records)+1 == h.n {
		h.fn()
	}
	return h.collector.Record(ctx, r)
}

// A full read hands over to search without a gap: a contact changed
// after the full read passed it, while a later contact changed before the
// read reached it, is still picked up by the next incremental read.
func TestFullReadHandsOverWithoutGap(t *testing.T) {
	t.Parallel()
	srv := hubspottest.NewServer(t, hubspottest.Options{Contacts: 300, Seed: 12, IntervalMax: 1000000, SearchPerSecond: 1000000})
	c := hubspot.New()
	e := &hookEmitter{collector: &collector{}, n: 50, fn: func() {
		srv.TouchID(hubspottest.Contacts, "110") // already read
		srv.TouchID(hubspottest.Contacts, "390") // the last one, not read yet
	}}
	if err := c.Read(context.Background(), srv.Connection(), hubspot.StreamContacts, nil, e); err != nil {
		t.Fatal(err)
	}
	if len(e.records) != 300 {
		t.Fatalf("full read: %d contacts", len(e.records))
	}
	inc := &collector{}
	if err := c.Read(context.Background(), srv.Connection(), hubspot.StreamContacts, e.last(), inc); err != nil {
		t.Fatal(err)
	}
	got := distinct(inc.records)
	if !got["110"] || !got["390"] {
		t.Fatalf("incremental read after the full read missed a change: %v", got)
	}
}
