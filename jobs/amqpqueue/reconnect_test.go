package amqpqueue_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/jobs/amqpqueue"
	"github.com/omnify-cloud/omnify/jobs/queuetest"
)

// proxy forwards TCP to the broker and can drop every connection at once,
// as a network blip or a broker restart would.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, u)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(u, c); u.Close() }()
		go func() { _, _ = io.Copy(c, u); c.Close() }()
	}
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func TestIntegrationAMQPReconnects(t *testing.T) {
	brokerURL := brokerURL(t)
	u, err := url.Parse(brokerURL)
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	q, err := amqpqueue.Dial(u.String(), amqpqueue.Options{Prefix: uniquePrefix(t, brokerURL), MaxBackoff: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })

	db := queuetest.NewStore(t)
	// A long sweep: every job below must come through the broker.
	r := jobs.NewRunner(db, jobs.Config{Workers: 2, Sweep: time.Hour}, nil, nil)
	r.UseTransport(q)
	ran := make(chan string, 10)
	r.Handle("ping", func(_ context.Context, j *omnify.Job, _ func(any)) (any, error) { ran <- j.ID; return nil, nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	for round := range 3 {
		j, err := r.Enqueue(context.Background(), jobs.NewJob{OrgID: "org-1", Kind: "ping"})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case id := <-ran:
			if id != j.ID {
				t.Fatalf("round %d: ran %s, want %s", round, id, j.ID)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: job did not run after the connection dropped", round)
		}
		p.cut()
		time.Sleep(300 * time.Millisecond) // the client notices the drop and the consumer redials
	}
}

func TestIntegrationAMQPPublishWhileDown(t *testing.T) {
	brokerURL := brokerURL(t)
	u, _ := url.Parse(brokerURL)
	p := newProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	q, err := amqpqueue.Dial(u.String(), amqpqueue.Options{Prefix: uniquePrefix(t, brokerURL)})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	p.ln.Close()
	p.cut()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := q.Publish(context.Background(), "job-1", 0); err == nil {
		t.Fatal("publish with the broker unreachable succeeded")
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Fatalf("publish took %v to fail", d)
	}
}
