package scaletest_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/omnify-cloud/omnify/connector/shopify/shopifytest"
	"github.com/omnify-cloud/omnify/internal/redistest"
)

// TestIntegrationRedisOutage kills the Redis two API replicas share and
// starts it again: every request keeps succeeding on the in-process
// fallback, and both replicas go back to Redis afterwards.
func TestIntegrationRedisOutage(t *testing.T) {
	requireEnv(t)
	rs := redistest.StartServer(t)
	c := newCluster(t, options{RedisURL: rs.URL()})
	replicas := []*proc{c.serve("api-a"), c.serve("api-b")}
	u := register(t, replicas[0], "redis@example.com")
	steady := hammer(t, replicas, u, 500*time.Millisecond)
	waitRedisUp(t, replicas, true, 5*time.Second)

	rs.Stop()
	down := hammer(t, replicas, u, 2*time.Second)
	waitRedisUp(t, replicas, false, 5*time.Second)
	rs.Start()
	restarted := time.Now()
	recovered := waitRedisUp(t, replicas, true, 30*time.Second)
	after := hammer(t, replicas, u, 500*time.Millisecond)
	t.Logf("slowest request: %s with Redis up, %s while it was down, %s after; both replicas back on Redis %s after its restart",
		steady.Round(time.Millisecond), down.Round(time.Millisecond), after.Round(time.Millisecond),
		recovered.Sub(restarted).Round(time.Millisecond))
}

// hammer sends requests to the replicas in turn for d, failing the test on
// any answer but 200, and returns the slowest request's time.
func hammer(t *testing.T, replicas []*proc, u client, d time.Duration) (slowest time.Duration) {
	t.Helper()
	for i, end := 0, time.Now().Add(d); time.Now().Before(end); i++ {
		p := replicas[i%len(replicas)]
		start := time.Now()
		st, err := tryCall(t.Context(), p.url, "GET", "/v1/me", u.token, nil, nil)
		if err != nil || st != http.StatusOK {
			t.Fatalf("request %d to %s: status %d, %v", i, p.name, st, err)
		}
		slowest = max(slowest, time.Since(start))
	}
	return slowest
}

// waitRedisUp waits until every replica's omnify_redis_up gauge for its
// limiter reads up, and returns when that happened.
func waitRedisUp(t *testing.T, replicas []*proc, up bool, within time.Duration) time.Time {
	t.Helper()
	want := "0"
	if up {
		want = "1"
	}
	deadline := time.Now().Add(within)
	for _, p := range replicas {
		for {
			// Only requests probe Redis again, so keep some coming.
			_, _ = tryCall(t.Context(), p.url, "GET", "/health", "", nil, nil)
			if redisGauge(t, p) == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: omnify_redis_up is %q after %s, want %s", p.name, redisGauge(t, p), within, want)
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	return time.Now()
}

// redisGauge reads the limiter's omnify_redis_up sample from p's /metrics.
func redisGauge(t *testing.T, p *proc) string {
	t.Helper()
	resp, err := http.Get(p.url + "/metrics")
	if err != nil {
		t.Fatalf("%s /metrics: %v", p.name, err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "omnify_redis_up{") && strings.Contains(line, `"limiter"`) {
			return line[strings.LastIndexByte(line, ' ')+1:]
		}
	}
	return ""
}

// TestIntegrationChaosRabbitMQRestart stops and starts the machine's
// RabbitMQ application while workers run syncs and replicas start more:
// every job finishes exactly once. It disturbs every other user of the
// broker, so it runs only with OMNIFY_TEST_CHAOS=1 (make test-chaos).
func TestIntegrationChaosRabbitMQRestart(t *testing.T) {
	requireEnv(t)
	if os.Getenv("OMNIFY_TEST_CHAOS") != "1" {
		t.Skip("OMNIFY_TEST_CHAOS is not 1; this test restarts the machine's RabbitMQ (make test-chaos)")
	}
	if _, err := exec.LookPath("rabbitmqctl"); err != nil {
		t.Skip("rabbitmqctl not on PATH")
	}
	amqpAddr := brokerAddr(t)
	// One shop per organisation: a shop runs one bulk export at a time.
	shops := shopRouter(t, shopifytest.Options{Customers: 25, Orders: 40, Seed: 9, BulkPolls: 1})
	// Jobs enqueued while the broker is down have no message; the sweeper
	// runs them from the store after OMNIFY_JOB_SWEEP.
	c := newCluster(t, options{ShopifyURL: shops.URL, Sweep: "2s"})
	a, b := c.serve("api-a"), c.serve("api-b")
	workers := []*proc{c.worker("worker-1"), c.worker("worker-2")}

	type started struct {
		u    client
		job  string
		shop *shopifytest.Server
	}
	var jobs []started
	start := func(p *proc, n int) {
		u := register(t, p, fmt.Sprintf("chaos%d@example.com", n))
		shop := shops.add(n)
		jobs = append(jobs, started{u, startSync(t, p, u, connectShop(t, p, u, shop.token)), shop.srv})
	}
	for i := range 3 {
		start([]*proc{a, b}[i%2], i)
	}

	defer restoreBroker(t, amqpAddr)
	stopped := time.Now()
	rabbitmqctl(t, "stop_app")
	t.Logf("rabbitmqctl stop_app took %s", time.Since(stopped).Round(time.Millisecond))
	for i := 3; i < 5; i++ {
		start([]*proc{a, b}[i%2], i)
	}
	time.Sleep(2 * time.Second)
	rabbitmqctl(t, "start_app")
	waitPort(t, amqpAddr, 60*time.Second)
	restarted := time.Now()
	t.Logf("broker down for %s", restarted.Sub(stopped).Round(time.Millisecond))
	waitConsumers(t, c.queue, len(workers), 30*time.Second)
	t.Logf("both workers consuming again %s after the broker came back", time.Since(restarted).Round(time.Millisecond))
	// A replica's publisher must be back too: this job comes by message,
	// not by the sweeper.
	start(a, 5)
	announced := jobs[len(jobs)-1].job

	for i, s := range jobs {
		j := waitJob(t, b, s.u, s.job, "succeeded", 90*time.Second)
		ran := 0
		for _, w := range workers {
			if w.logs.has("job succeeded", map[string]string{"job_id": s.job}) {
				ran++
			}
		}
		if ran != 1 {
			t.Fatalf("job %d (%s) succeeded in %d workers, want 1", i, s.job, ran)
		}
		checkSynced(t, c, a, s.u, s.shop)
		t.Logf("job %d done after %d attempt(s)", i, j.Attempts)
	}
	t.Logf("every job done %s after the broker came back", time.Since(restarted).Round(time.Millisecond))
	for _, w := range workers {
		if w.logs.has("running a job that had no message", map[string]string{"job_id": announced}) {
			t.Errorf("the job started after the restart had no message: %s did not publish it", a.name)
		}
	}
	for _, w := range workers {
		if !w.logs.has("job consumer lost the broker; redialing", nil) {
			t.Errorf("%s did not notice the broker going away", w.name)
		}
	}
}

// brokerAddr is host:port of the test broker.
func brokerAddr(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(os.Getenv(envAMQP))
	if err != nil {
		t.Fatalf("%s: %v", envAMQP, err)
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "5672")
	}
	return u.Host
}

var rabbitMu sync.Mutex

func rabbitmqctl(t *testing.T, verb string) {
	t.Helper()
	rabbitMu.Lock()
	defer rabbitMu.Unlock()
	out, err := exec.Command("rabbitmqctl", verb).CombinedOutput()
	if err != nil {
		t.Fatalf("rabbitmqctl %s: %v\n%s", verb, err, out)
	}
}

// restoreBroker starts the broker application again (a no-op when it
// runs) and waits for its port, whatever became of the test.
func restoreBroker(t *testing.T, addr string) {
	t.Helper()
	if out, err := exec.Command("rabbitmqctl", "start_app").CombinedOutput(); err != nil {
		t.Errorf("rabbitmqctl start_app: %v\n%s", err, out)
	}
	waitPort(t, addr, 60*time.Second)
}

// waitPort waits until addr accepts TCP connections.
func waitPort(t *testing.T, addr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%s does not answer after %s: %v", addr, within, err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// shops serves several fake shops on one base URL, routed by the access
// token of each request: every shop accepts a token of its own.
type shops struct {
	URL  string
	opts shopifytest.Options
	t    *testing.T
	mu   sync.Mutex
	by   map[string]*httputil.ReverseProxy
}

// routedShop is one shop behind the router and the token it accepts.
type routedShop struct {
	token string
	srv   *shopifytest.Server
}

func shopRouter(t *testing.T, o shopifytest.Options) *shops {
	s := &shops{opts: o, t: t, by: map[string]*httputil.ReverseProxy{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		p := s.by[r.Header.Get("X-Shopify-Access-Token")]
		s.mu.Unlock()
		if p == nil {
			http.Error(w, `{"errors":"[API] Invalid API key or access token"}`, http.StatusUnauthorized)
			return
		}
		p.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// add starts shop n behind the router.
func (s *shops) add(n int) routedShop {
	o := s.opts
	o.Token = fmt.Sprintf("shpat_chaos_%d", n)
	srv := shopifytest.NewServer(s.t, o)
	u, err := url.Parse(srv.URL)
	if err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.by[o.Token] = httputil.NewSingleHostReverseProxy(u)
	return routedShop{token: o.Token, srv: srv}
}

// waitConsumers waits until queue has n consumers.
func waitConsumers(t *testing.T, queue string, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	got := -1
	for time.Now().Before(deadline) {
		if got = consumers(queue); got == n {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s has %d consumers after %s, want %d", queue, got, within, n)
}

// consumers counts queue's consumers; -1 when the broker does not answer.
func consumers(queue string) int {
	conn, err := amqp.Dial(os.Getenv(envAMQP))
	if err != nil {
		return -1
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return -1
	}
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		return -1
	}
	return q.Consumers
}
