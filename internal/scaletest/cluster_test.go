package scaletest_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"github.com/omnify-cloud/omnify/store/mongo"
)

// redisDB is the Redis database the replicas share on the machine's server,
// away from the other tests' keys in database 0.
const redisDB = 11

// options shape one cluster.
type options struct {
	RedisURL   string // default: the test server's URL on redisDB
	ShopifyURL string // OMNIFY_SHOPIFY_BASE_URL of every process
	OrgRate    int    // OMNIFY_ORG_RATE; default 100000
	Sweep      string // OMNIFY_JOB_SWEEP; default 30s
}

// cluster is the shared configuration of a set of omnify processes: one
// MongoDB database, one set of RabbitMQ queues, one Redis, one master key
// and one signing key.
type cluster struct {
	t     *testing.T
	dir   string
	db    string
	queue string
	env   []string
}

var clusterSeq atomic.Int64

func newCluster(t *testing.T, o options) *cluster {
	t.Helper()
	requireEnv(t)
	if o.RedisURL == "" {
		o.RedisURL = testRedisURL(t)
	}
	if o.OrgRate == 0 {
		o.OrgRate = 100000
	}
	if o.Sweep == "" {
		o.Sweep = "30s"
	}
	n := clusterSeq.Add(1)
	c := &cluster{t: t, dir: t.TempDir(),
		db:    fmt.Sprintf("omnify_scale_%d_%d", os.Getpid(), n),
		queue: fmt.Sprintf("omnify.test.scale.%d.%d.%d", os.Getpid(), time.Now().UnixNano()%1e9, n)}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	c.env = []string{
		"OMNIFY_MONGO_URI=" + ferretURI, "OMNIFY_MONGO_DATABASE=" + c.db,
		"OMNIFY_AMQP_URL=" + os.Getenv(envAMQP), "OMNIFY_AMQP_QUEUE=" + c.queue,
		"OMNIFY_REDIS_URL=" + o.RedisURL,
		"OMNIFY_MASTER_KEY=" + base64.StdEncoding.EncodeToString(key),
		"OMNIFY_JWT_KEY_FILE=" + filepath.Join(c.dir, "jwt.key"),
		"OMNIFY_SHOPIFY_BASE_URL=" + o.ShopifyURL,
		"OMNIFY_ORG_RATE=" + strconv.Itoa(o.OrgRate), "OMNIFY_IP_RATE=100000",
		"OMNIFY_JOB_LEASE=2s", "OMNIFY_JOB_SWEEP=" + o.Sweep, "OMNIFY_WORKERS=1",
		"OMNIFY_LOG_FORMAT=json", "OMNIFY_LOG_LEVEL=info",
	}
	t.Cleanup(func() { deleteQueues(c.queue) })
	return c
}

// testRedisURL is the test server's URL pointed at redisDB, emptied when
// the test ends.
func testRedisURL(t *testing.T) string {
	t.Helper()
	opts, err := redis.ParseURL(os.Getenv(envRedis))
	if err != nil {
		t.Fatalf("%s: %v", envRedis, err)
	}
	opts.DB = redisDB
	c := redis.NewClient(opts)
	t.Cleanup(func() {
		_ = c.FlushDB(context.Background()).Err()
		_ = c.Close()
	})
	return fmt.Sprintf("redis://%s/%d", opts.Addr, redisDB)
}

// store opens the cluster's MongoDB database from the test process.
func (c *cluster) store() *mongo.DB {
	c.t.Helper()
	db, err := mongo.Open(c.t.Context(), ferretURI, c.db, mongo.Options{})
	if err != nil {
		c.t.Fatalf("open the cluster's store: %v", err)
	}
	c.t.Cleanup(func() { _ = db.Close() })
	return db
}

// proc is one running omnify process.
type proc struct {
	name string
	url  string // where it answers HTTP (the API, or a worker's health port)
	cmd  *exec.Cmd
	done chan struct{}
	logs *logBuffer
}

// serve starts an API replica that runs no jobs.
func (c *cluster) serve(name string) *proc {
	addr := freeAddr(c.t)
	return c.start(name, addr, "serve", "--no-worker", "--addr", addr)
}

// worker starts a job worker answering health checks.
func (c *cluster) worker(name string) *proc {
	addr := freeAddr(c.t)
	return c.start(name, addr, "worker", "--health-addr", addr)
}

func (c *cluster) start(name, addr string, args ...string) *proc {
	c.t.Helper()
	data := filepath.Join(c.dir, name)
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(cleanEnv(), c.env...)
	cmd.Env = append(cmd.Env, "OMNIFY_DATA_DIR="+data)
	p := &proc{name: name, url: "http://" + addr, cmd: cmd, done: make(chan struct{}), logs: &logBuffer{}}
	cmd.Stdout, cmd.Stderr = p.logs, p.logs
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	c.t.Cleanup(func() { p.stop(c.t) })
	p.waitHealthy(c.t, 30*time.Second)
	return p
}

// cleanEnv is the test's environment without OMNIFY_ settings.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OMNIFY_") {
			out = append(out, kv)
		}
	}
	return out
}

func (p *proc) waitHealthy(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		select {
		case <-p.done:
			t.Fatalf("%s exited before answering:\n%s", p.name, p.logs)
		default:
		}
		resp, err := http.Get(p.url + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer /health within %s: %v\n%s", p.name, within, err, p.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill9 ends the process at once, as a crash would.
func (p *proc) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill %s: %v", p.name, err)
	}
	<-p.done
}

// stop asks the process to shut down and kills it if it does not.
func (p *proc) stop(t *testing.T) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	if t.Failed() {
		t.Logf("%s log:\n%s", p.name, p.logs)
	}
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// logBuffer keeps a process's log lines for assertions and failures.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// has reports whether a JSON log line has msg and every field given.
func (b *logBuffer) has(msg string, fields map[string]string) bool {
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil || line["msg"] != msg {
			continue
		}
		ok := true
		for k, v := range fields {
			ok = ok && fmt.Sprint(line[k]) == v
		}
		if ok {
			return true
		}
	}
	return false
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func deleteQueues(prefix string) {
	conn, err := amqp.Dial(os.Getenv(envAMQP))
	if err != nil {
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	for _, n := range []string{prefix, prefix + ".dead"} {
		_, _ = ch.QueueDelete(n, false, false, false)
	}
}

// client is a signed-in user calling the API.
type client struct {
	token string
	orgID string
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// call sends a JSON request to base and decodes the JSON answer into out
// (when not nil); it returns the status code.
func call(t *testing.T, base, method, path, token string, body, out any) int {
	t.Helper()
	st, err := tryCall(t.Context(), base, method, path, token, body, out)
	if err != nil {
		t.Fatalf("%s %s%s: %v", method, base, path, err)
	}
	return st
}

func tryCall(ctx context.Context, base, method, path, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s: %w", raw, err)
		}
	}
	return resp.StatusCode, nil
}

// register signs up a new user with a new organisation through p.
func register(t *testing.T, p *proc, email string) client {
	t.Helper()
	var s struct {
		AccessToken string `json:"access_token"`
		Org         struct {
			ID string `json:"id"`
		} `json:"org"`
	}
	body := map[string]any{"email": email, "password": "scale-out test password 42", "org_name": "Scale " + email}
	if st := call(t, p.url, "POST", "/v1/auth/register", "", body, &s); st != http.StatusOK && st != http.StatusCreated {
		t.Fatalf("register %s on %s: status %d", email, p.name, st)
	}
	return client{token: s.AccessToken, orgID: s.Org.ID}
}

// jobView is what GET /v1/jobs/{id} answers.
type jobView struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error"`
}

// waitJob polls job id through p until it has status want.
func waitJob(t *testing.T, p *proc, c client, id, want string, within time.Duration) jobView {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var j jobView
		st, err := tryCall(t.Context(), p.url, "GET", "/v1/jobs/"+id, c.token, nil, &j)
		if err == nil && st == http.StatusOK {
			if j.Status == want {
				return j
			}
			if j.Status == "dead" {
				t.Fatalf("job %s is dead after %d attempts: %s", id, j.Attempts, j.Error)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %q (attempt %d, %q; last status %d %v) after %s, want %s",
				id, j.Status, j.Attempts, j.Error, st, err, within, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
