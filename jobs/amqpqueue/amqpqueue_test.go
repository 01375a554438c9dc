package amqpqueue_test

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/jobs/amqpqueue"
	"github.com/omnify-cloud/omnify/jobs/queuetest"
)

func brokerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("OMNIFY_TEST_AMQP_URL")
	if u == "" {
		t.Skip("OMNIFY_TEST_AMQP_URL is not set (e.g. amqp://guest:guest@127.0.0.1:5672/)")
	}
	return u
}

var seq atomic.Int64

// uniquePrefix names queues no other test, run or process shares; the
// queues are deleted when the test ends.
func uniquePrefix(t testing.TB, url string) string {
	p := fmt.Sprintf("omnify.test.%d.%d.%d", os.Getpid(), time.Now().UnixNano(), seq.Add(1))
	t.Cleanup(func() {
		conn, err := amqp.Dial(url)
		if err != nil {
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			return
		}
		for _, q := range []string{p, p + ".dead"} {
			_, _ = ch.QueueDelete(q, false, false, false)
		}
	})
	return p
}

func open(t testing.TB, url, prefix string) *amqpqueue.Queue {
	t.Helper()
	q, err := amqpqueue.Dial(url, amqpqueue.Options{Prefix: prefix})
	if err != nil {
		t.Fatalf("dial broker: %v", err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

func TestIntegrationAMQPQueueConformance(t *testing.T) {
	url := brokerURL(t)
	queuetest.Run(t, func(t *testing.T) queuetest.Setup {
		prefix := uniquePrefix(t, url)
		return queuetest.Setup{
			Open: func(t *testing.T) jobs.Transport { return open(t, url, prefix) },
			DeadLetters: func(t *testing.T) int {
				return queueLen(t, url, prefix+".dead")
			},
		}
	})
}

func queueLen(t testing.TB, url, name string) int {
	t.Helper()
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatalf("dial broker: %v", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatalf("channel: %v", err)
	}
	q, err := ch.QueueDeclarePassive(name, true, false, false, false, nil)
	if err != nil {
		t.Fatalf("inspect %s: %v", name, err)
	}
	return q.Messages
}

func TestDialBadURL(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:5672/", "amqp://guest:guest@127.0.0.1:1/"} {
		if q, err := amqpqueue.Dial(u, amqpqueue.Options{}); err == nil {
			q.Close()
			t.Errorf("Dial(%q) succeeded, want an error", u)
		}
	}
}
