package amqpqueue_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/jobs/queuetest"
)

// ackCounter wraps a transport and counts acknowledged messages.
type ackCounter struct {
	jobs.Transport
	acked atomic.Int64
	all   chan struct{}
	want  int64
}

func (a *ackCounter) Consume(ctx context.Context, prefetch int) <-chan jobs.Delivery {
	in := a.Transport.Consume(ctx, prefetch)
	out := make(chan jobs.Delivery)
	go func() {
		defer close(out)
		for d := range in {
			ack := d.Ack
			d.Ack = func() error {
				err := ack()
				if err == nil && a.acked.Add(1) == a.want {
					close(a.all)
				}
				return err
			}
			out <- d
		}
	}()
	return out
}

// BenchmarkAMQPEndToEnd enqueues b.N jobs from 8 goroutines (stored, then
// published with confirms) and waits until a runner with 8 workers has run
// and acknowledged every one; it reports jobs per second.
func BenchmarkAMQPEndToEnd(b *testing.B) {
	url := brokerURL(b)
	db := queuetest.NewStore(b)
	tr := &ackCounter{Transport: open(b, url, uniquePrefix(b, url)), all: make(chan struct{}), want: int64(b.N)}
	r := jobs.NewRunner(db, jobs.Config{Workers: 8}, nil, nil)
	r.UseTransport(tr)
	r.Handle("noop", func(context.Context, *omnify.Job, func(any)) (any, error) { return nil, nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	defer func() { cancel(); <-done }()

	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if _, err := r.Enqueue(ctx, jobs.NewJob{OrgID: "org-1", Kind: "noop"}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-tr.all:
	case <-time.After(time.Minute):
		b.Fatalf("%d of %d jobs acknowledged after a minute", tr.acked.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
}
