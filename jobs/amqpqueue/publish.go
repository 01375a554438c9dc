package amqpqueue

import (
	"context"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// redeclareEvery bounds how long a delay queue goes without being declared
// again. Publishing does not count as use for x-expires, so a queue is
// redeclared well before it could expire with messages in it.
const redeclareEvery = time.Minute

// Publish sends id, persistent, to the work queue or, with a delay, to the
// delay queue that expires it into the work queue; it returns once the
// broker confirmed the message. While the broker is unreachable it returns
// an error at once.
func (q *Queue) Publish(ctx context.Context, id string, delay time.Duration) error {
	err := q.confirmed(ctx, id, func(ch *amqp.Channel) (string, error) {
		if ms := bucket(delay); ms > 0 {
			return q.declareDelayLocked(ch, ms)
		}
		return q.WorkQueue(), nil
	})
	if err != nil {
		return fmt.Errorf("publish job %s: %w", id, err)
	}
	return nil
}

// Bury sends id, persistent and confirmed, straight to the dead queue: the
// job died with no delivery of its own to dead-letter.
func (q *Queue) Bury(ctx context.Context, id string) error {
	err := q.confirmed(ctx, id, func(*amqp.Channel) (string, error) { return q.DeadQueue(), nil })
	if err != nil {
		return fmt.Errorf("dead-letter job %s: %w", id, err)
	}
	return nil
}

// confirmed publishes id to the queue route names and waits for the
// broker's confirm.
func (q *Queue) confirmed(ctx context.Context, id string, route func(*amqp.Channel) (string, error)) error {
	dc, err := q.publish(ctx, id, route)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, q.opt.Confirm)
	defer cancel()
	ok, err := dc.WaitContext(wctx)
	switch {
	case err != nil:
		return fmt.Errorf("wait for confirm: %w", err)
	case !ok:
		return fmt.Errorf("broker refused the message")
	}
	return nil
}

func (q *Queue) publish(ctx context.Context, id string, route func(*amqp.Channel) (string, error)) (*amqp.DeferredConfirmation, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	ch, err := q.publisherLocked()
	if err != nil {
		return nil, err
	}
	key, err := route(ch)
	if err != nil {
		return nil, err
	}
	return ch.PublishWithDeferredConfirmWithContext(ctx, "", key, false, false, amqp.Publishing{
		DeliveryMode: amqp.Persistent,
		ContentType:  "text/plain",
		MessageId:    id,
		Timestamp:    time.Now().UTC(),
		Body:         []byte(id),
	})
}

// declareDelayLocked declares the delay queue of ms milliseconds: its
// messages expire after ms into the work queue, and the queue itself goes
// away once unused long after its last message could have expired.
func (q *Queue) declareDelayLocked(ch *amqp.Channel, ms int64) (string, error) {
	name := q.delayQueue(ms)
	if at, ok := q.declared[name]; ok && time.Since(at) < redeclareEvery {
		return name, nil
	}
	args := amqp.Table{
		"x-message-ttl":             ms,
		"x-dead-letter-exchange":    "",
		"x-dead-letter-routing-key": q.WorkQueue(),
		"x-expires":                 ms + int64(redeclareEvery/time.Millisecond) + 10*60*1000,
	}
	if _, err := ch.QueueDeclare(name, true, false, false, false, args); err != nil {
		return "", fmt.Errorf("declare %s: %w", name, err)
	}
	q.declared[name] = time.Now()
	return name, nil
}

// bucket rounds a delay up to two significant digits of milliseconds, so
// the delays in use map to a few queues; a message in a TTL queue expires
// only at the head, so one queue must hold one delay.
func bucket(d time.Duration) int64 {
	ms := int64((d + time.Millisecond - 1) / time.Millisecond)
	if ms <= 0 {
		return 0
	}
	scale := int64(1)
	for ms > 99*scale {
		scale *= 10
	}
	return (ms + scale - 1) / scale * scale
}
