// Package amqpqueue is the RabbitMQ transport of OmniFy's job queue: it
// announces job IDs on a durable work queue with persistent, confirmed
// messages, delays retries in per-delay queues whose messages expire back
// into the work queue, dead-letters the messages of dead jobs into a dead
// queue, and reconnects on its own. Job state stays in the store.
package amqpqueue

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/omnify-cloud/omnify/jobs"
)

// DefaultPrefix names the queues: the work queue itself, <prefix>.dead and
// <prefix>.delay.<milliseconds>.
const DefaultPrefix = "omnify.jobs"

// Options tune a Queue. Zero fields take the documented defaults.
type Options struct {
	Prefix     string        // queue names; default DefaultPrefix
	Logger     *slog.Logger  // default discards
	MinBackoff time.Duration // first wait before redialing; default 100ms
	MaxBackoff time.Duration // cap on the redial wait; default 10s
	Confirm    time.Duration // how long a publish waits for the broker's confirm; default 10s
}

func (o Options) withDefaults() Options {
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 100 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Second
	}
	if o.Confirm <= 0 {
		o.Confirm = 10 * time.Second
	}
	return o
}

// Queue is a jobs.Transport over one RabbitMQ connection, redialed when it
// drops. It is safe for concurrent use.
type Queue struct {
	url string
	opt Options

	mu       sync.Mutex
	conn     *amqp.Connection
	pub      *amqp.Channel        // confirm-mode channel for publishing
	declared map[string]time.Time // delay queues declared on pub, and when
	closed   bool
}

var _ jobs.Transport = (*Queue)(nil)

// Dial connects to the broker at url (amqp://user:pass@host:port/vhost) and
// declares the work and dead queues, so a wrong URL fails at start.
func Dial(url string, opt Options) (*Queue, error) {
	q := &Queue{url: url, opt: opt.withDefaults()}
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, err := q.connectLocked(); err != nil {
		return nil, err
	}
	return q, nil
}

// WorkQueue and DeadQueue are the names of the queues.
func (q *Queue) WorkQueue() string { return q.opt.Prefix }

// DeadQueue holds the messages of jobs that died.
func (q *Queue) DeadQueue() string { return q.opt.Prefix + ".dead" }

func (q *Queue) delayQueue(ms int64) string {
	return q.opt.Prefix + ".delay." + strconv.FormatInt(ms, 10)
}

// Close closes the connection; Consume channels end.
func (q *Queue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	if q.conn == nil {
		return nil
	}
	return q.conn.Close()
}

var errClosed = errors.New("amqp queue closed")

// connectLocked returns the live connection, dialing and declaring the
// topology when there is none.
func (q *Queue) connectLocked() (*amqp.Connection, error) {
	if q.closed {
		return nil, errClosed
	}
	if q.conn != nil && !q.conn.IsClosed() {
		return q.conn, nil
	}
	q.pub, q.declared = nil, nil
	conn, err := amqp.DialConfig(q.url, amqp.Config{
		Heartbeat:  10 * time.Second,
		Dial:       amqp.DefaultDial(5 * time.Second),
		Properties: amqp.Table{"connection_name": "omnify jobs"},
	})
	if err != nil {
		return nil, fmt.Errorf("dial amqp: %w", err)
	}
	if err := q.declareTopology(conn); err != nil {
		conn.Close()
		return nil, err
	}
	q.conn = conn
	return conn, nil
}

func (q *Queue) declareTopology(conn *amqp.Connection) error {
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("amqp channel: %w", err)
	}
	defer ch.Close()
	if _, err := ch.QueueDeclare(q.DeadQueue(), true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare %s: %w", q.DeadQueue(), err)
	}
	args := amqp.Table{"x-dead-letter-exchange": "", "x-dead-letter-routing-key": q.DeadQueue()}
	if _, err := ch.QueueDeclare(q.WorkQueue(), true, false, false, false, args); err != nil {
		return fmt.Errorf("declare %s: %w", q.WorkQueue(), err)
	}
	return nil
}

// publisherLocked returns the confirm-mode publishing channel.
func (q *Queue) publisherLocked() (*amqp.Channel, error) {
	conn, err := q.connectLocked()
	if err != nil {
		return nil, err
	}
	if q.pub != nil && !q.pub.IsClosed() {
		return q.pub, nil
	}
	ch, err := conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("amqp channel: %w", err)
	}
	if err := ch.Confirm(false); err != nil {
		ch.Close()
		return nil, fmt.Errorf("amqp confirm mode: %w", err)
	}
	q.pub, q.declared = ch, map[string]time.Time{}
	return ch, nil
}
