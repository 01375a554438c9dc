// Command server is the Redis rate-limit benchmark's target: the full
// OmniFy API served twice over one SQLite store, once with the in-process
// limiter and once with the Redis limiter (behind its in-process fallback,
// as omnify serve builds it), each with one registered user. It prints what
// bench/redislimit/run.sh needs as KEY=value lines and serves until
// interrupted.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/internal/outage"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/limit/redislimit"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

func main() {
	redisURL := flag.String("redis-url", os.Getenv("OMNIFY_TEST_REDIS_URL"), "Redis to keep the limits in")
	pipelines := flag.Int("pipelines", 4, "Redis pipelines in flight at once; 0 sends each decision alone")
	flag.Parse()
	if err := run(*redisURL, *pipelines); err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		os.Exit(1)
	}
}

func run(redisURL string, pipelines int) error {
	if redisURL == "" {
		return fmt.Errorf("-redis-url or OMNIFY_TEST_REDIS_URL is required")
	}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return fmt.Errorf("redis url: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir, err := os.MkdirTemp("", "omnify-redisbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "omnify.db"), sqlite.Options{})
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	client := redis.NewClient(opts)
	defer client.Close()
	prefix := fmt.Sprintf("omnify:bench:%d:", time.Now().UnixNano())
	shared := limit.NewFallback(redislimit.New(client, redislimit.Options{Prefix: prefix, Pipelines: pipelines}),
		limit.NewMemory(nil), outage.Config{})
	limiters := []struct {
		name string
		l    limit.Limiter
	}{{"MEMORY", limit.NewMemory(nil)}, {"REDIS", shared}}
	for i, lim := range limiters {
		url, token, err := start(db, lim.l, fmt.Sprintf("bench%d@example.com", i))
		if err != nil {
			return fmt.Errorf("%s: %w", lim.name, err)
		}
		fmt.Printf("%s_URL=%s\n%s_TOKEN=%s\n", lim.name, url, lim.name, token)
	}
	fmt.Println("READY=1")
	<-ctx.Done()
	if !shared.Up() {
		return fmt.Errorf("the Redis limiter fell back to in-process limits during the run")
	}
	return nil
}

// start serves the API with limiter l and registers one user.
func start(db *sqlite.DB, l limit.Limiter, email string) (url, token string, err error) {
	// High enough never to deny, low enough to be a valid rate (1µs a
	// request): the benchmark measures the limiter's cost.
	rate := limit.PerSecond(1_000_000)
	srv, err := api.New(api.Config{IPRate: rate, OrgRate: rate},
		api.Deps{Store: db, Limiter: l, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		return "", "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", err
	}
	go func() { _ = http.Serve(ln, srv.Handler()) }()
	url = "http://" + ln.Addr().String()
	body, _ := json.Marshal(map[string]string{"email": email, "password": "benchmark password 4821", "org_name": "Bench"})
	resp, err := http.Post(url+"/v1/auth/register", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", "", fmt.Errorf("register: %w", err)
	}
	defer resp.Body.Close()
	var s api.Session
	if resp.StatusCode != http.StatusCreated {
		raw, _ := io.ReadAll(resp.Body)
		return "", "", fmt.Errorf("register: status %d: %s", resp.StatusCode, raw)
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return "", "", fmt.Errorf("register: %w", err)
	}
	return url, s.AccessToken, nil
}
