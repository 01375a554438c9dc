package amqpqueue

import (
	"context"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/omnify-cloud/omnify/jobs"
)

// Consume delivers the work queue's messages with manual acknowledgement,
// at most prefetch unacknowledged. When the connection or channel drops it
// redials with growing backoff; messages unacknowledged on the lost channel
// are redelivered by the broker.
func (q *Queue) Consume(ctx context.Context, prefetch int) <-chan jobs.Delivery {
	out := make(chan jobs.Delivery)
	go func() {
		defer close(out)
		wait := q.opt.MinBackoff
		for ctx.Err() == nil {
			started := time.Now()
			err := q.consumeOnce(ctx, max(prefetch, 1), out)
			if ctx.Err() != nil {
				return
			}
			if time.Since(started) > q.opt.MaxBackoff {
				wait = q.opt.MinBackoff // it was up for a while: a fresh outage
			}
			q.opt.Logger.Warn("job consumer lost the broker; redialing", "err", err, "in", wait)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, q.opt.MaxBackoff)
		}
	}()
	return out
}

func (q *Queue) consumeOnce(ctx context.Context, prefetch int, out chan<- jobs.Delivery) error {
	q.mu.Lock()
	conn, err := q.connectLocked()
	q.mu.Unlock()
	if err != nil {
		return err
	}
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("amqp channel: %w", err)
	}
	defer ch.Close()
	if err := ch.Qos(prefetch, 0, false); err != nil {
		return fmt.Errorf("amqp qos: %w", err)
	}
	// Not ctx: on cancel the library would cancel the consumer concurrently
	// with the Close below, and the two calls can take each other's replies
	// and hang. Closing the channel ends the consumer and requeues its
	// unacknowledged messages.
	msgs, err := ch.ConsumeWithContext(context.Background(), q.WorkQueue(), "", false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume %s: %w", q.WorkQueue(), err)
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-msgs:
			if !ok {
				return fmt.Errorf("consume %s: channel closed", q.WorkQueue())
			}
			select {
			case out <- delivery(m):
			case <-ctx.Done():
				return nil
			}
		}
	}
}

func delivery(m amqp.Delivery) jobs.Delivery {
	return jobs.Delivery{
		JobID:   string(m.Body),
		Ack:     func() error { return m.Ack(false) },
		Dead:    func() error { return m.Nack(false, false) },
		Requeue: func() error { return m.Nack(false, true) },
	}
}
