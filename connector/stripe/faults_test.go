package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/stripe"
	"github.com/omnify-cloud/omnify/connector/stripe/stripemock"
)

func TestFaultsBackOffAndRecover(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name   string
		faults []stripemock.Fault
		waits  []time.Duration
	}{
		{"429 with Retry-After", []stripemock.Fault{{Status: 429, RetryAfter: "7"}}, []time.Duration{7 * time.Second}},
		{"429 with a Retry-After date", []stripemock.Fault{{Status: 429, RetryAfter: time.Unix(1767300012, 0).UTC().Format(http.TimeFormat)}},
			[]time.Duration{12 * time.Second}},
		{"429 concurrency, doubling", []stripemock.Fault{
			{Status: 429, RateLimitedReason: "global-concurrency"},
			{Status: 429, RateLimitedReason: "global-concurrency"},
		}, []time.Duration{500 * ms, time.Second}},
		{"429 rate, doubling", []stripemock.Fault{
			{Status: 429, RateLimitedReason: "endpoint-rate"}, {Status: 429}, {Status: 429},
		}, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"5xx burst", []stripemock.Fault{{Status: 500}, {Status: 503}, {Status: 502, Body: "<html>Bad Gateway</html>"}},
			[]time.Duration{500 * ms, time.Second, 2 * time.Second}},
		{"malformed JSON", []stripemock.Fault{{Malformed: true}}, []time.Duration{500 * ms}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			want := mustSeed(t, f, stripe.Customers, 250)
			clock := &fakeClock{now: time.Unix(1767300000, 0)}
			c := stripe.New(stripe.WithClock(clock.Now))
			rec := &recorder{}
			// Fail in the middle of the read, after the first page.
			injected := false
			rec.onRecord = func(connector.Record) error {
				if len(rec.records) == 100 && !injected {
					injected = true
					f.Inject(tc.faults...)
				}
				return nil
			}
			backs := drive(t, c, conn(f.URL, f.Key), stripe.Customers, nil, rec, clock)
			assertExactlyOnce(t, rec.ids(), want)
			if len(backs) != len(tc.waits) {
				t.Fatalf("%d back-offs, want %d", len(backs), len(tc.waits))
			}
			for i, b := range backs {
				if b.Wait != tc.waits[i] || b.Reason == "" {
					t.Errorf("back-off %d: wait %s reason %q, want %s", i, b.Wait, b.Reason, tc.waits[i])
				}
			}
		})
	}
}

func TestErrorsThatRetryingCannotFix(t *testing.T) {
	cases := []struct {
		name  string
		fault stripemock.Fault
		key   string
		want  error
	}{
		{"wrong key", stripemock.Fault{}, "sk_test_wrong", connector.ErrAuth},
		{"403", stripemock.Fault{Status: 403}, stripemock.TestKey, connector.ErrAuth},
		{"400", stripemock.Fault{Status: 400}, stripemock.TestKey, connector.ErrPermanent},
		{"404", stripemock.Fault{Status: 404}, stripemock.TestKey, connector.ErrPermanent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			mustSeed(t, f, stripe.Customers, 3)
			if tc.fault.Status != 0 {
				f.Inject(tc.fault)
			}
			err := stripe.New().Read(context.Background(), conn(f.URL, tc.key), stripe.Customers, nil, &recorder{})
			var bo *connector.BackOffError
			if !errors.Is(err, tc.want) || errors.As(err, &bo) {
				t.Fatalf("want %v and no back-off, got %v", tc.want, err)
			}
			if tc.want == connector.ErrAuth {
				if err := stripe.New().Check(context.Background(), conn(f.URL, tc.key)); tc.fault.Status == 0 && !errors.Is(err, connector.ErrAuth) {
					t.Fatalf("check: want ErrAuth, got %v", err)
				}
			}
		})
	}
}

func TestCancelStopsPromptly(t *testing.T) {
	t.Run("between records", func(t *testing.T) {
		f := newFake(t)
		mustSeed(t, f, stripe.Customers, 300)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rec := &recorder{}
		rec.onRecord = func(connector.Record) error {
			if len(rec.records) == 10 {
				cancel()
			}
			return nil
		}
		err := stripe.New().Read(ctx, conn(f.URL, f.Key), stripe.Customers, nil, rec)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want context.Canceled, got %v", err)
		}
		// The cancel happens while the 11th record is handed over.
		if len(rec.records) != 11 {
			t.Fatalf("want reading to stop after 11 records, got %d", len(rec.records))
		}
	})
	t.Run("while Stripe hangs", func(t *testing.T) {
		f := newFake(t)
		mustSeed(t, f, stripe.Customers, 3)
		f.Inject(stripemock.Fault{Hang: true})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := stripe.New().Read(ctx, conn(f.URL, f.Key), stripe.Customers, nil, &recorder{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("want the deadline, got %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %s to stop", d)
		}
	})
}
