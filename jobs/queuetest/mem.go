package queuetest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify/jobs"
)

// MemBroker is an in-process broker with the delivery guarantees the
// runner relies on from RabbitMQ: at-least-once, delayed publishes, and
// redelivery of what a consumer held unsettled when it went away. It lets
// the suite exercise the transport path without a broker.
type MemBroker struct {
	queue chan string
	mu    sync.Mutex
	dead  []string
}

// NewMemBroker returns an empty broker holding up to 100,000 messages.
func NewMemBroker() *MemBroker { return &MemBroker{queue: make(chan string, 100_000)} }

// Open returns a transport on the broker, as a separate connection.
func (b *MemBroker) Open() jobs.Transport { return memConn{b} }

// DeadLetters counts the messages dead-lettered so far.
func (b *MemBroker) DeadLetters() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.dead)
}

type memConn struct{ b *MemBroker }

func (c memConn) Publish(_ context.Context, id string, delay time.Duration) error {
	if delay <= 0 {
		c.b.queue <- id
		return nil
	}
	time.AfterFunc(delay, func() { c.b.queue <- id })
	return nil
}

func (c memConn) Bury(_ context.Context, id string) error {
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	c.b.dead = append(c.b.dead, id)
	return nil
}

var errSettled = errors.New("message already settled or its consumer is gone")

func (c memConn) Consume(ctx context.Context, _ int) <-chan jobs.Delivery {
	out := make(chan jobs.Delivery)
	var mu sync.Mutex
	held := map[uint64]string{}
	var seq uint64
	settle := func(n uint64, then func(id string)) func() error {
		return func() error {
			mu.Lock()
			id, ok := held[n]
			delete(held, n)
			mu.Unlock()
			if !ok {
				return errSettled
			}
			then(id)
			return nil
		}
	}
	go func() {
		defer close(out)
		defer func() { // the connection is gone: the broker redelivers
			mu.Lock()
			defer mu.Unlock()
			for n, id := range held {
				delete(held, n)
				c.b.queue <- id
			}
		}()
		for {
			var id string
			select {
			case <-ctx.Done():
				return
			case id = <-c.b.queue:
			}
			mu.Lock()
			seq++
			n := seq
			held[n] = id
			mu.Unlock()
			d := jobs.Delivery{JobID: id,
				Ack: settle(n, func(string) {}),
				Dead: settle(n, func(id string) {
					c.b.mu.Lock()
					c.b.dead = append(c.b.dead, id)
					c.b.mu.Unlock()
				}),
				Requeue: settle(n, func(id string) { c.b.queue <- id }),
			}
			select {
			case out <- d:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
