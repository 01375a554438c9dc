// Command server is the API benchmark's target: it serves the full OmniFy
// API (production middleware and argon2 settings, SQLite in a temporary
// directory, one registered user) beside a bare net/http handler answering
// a JSON document of the same shape as GET /v1/me, measures the latency of
// sequential logins, prints what bench/api/run.sh needs as KEY=value lines
// and serves until interrupted.
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
	"runtime/pprof"
	"sort"
	"time"

	"github.com/omnify-cloud/omnify/api"
	"github.com/omnify-cloud/omnify/limit"
	"github.com/omnify-cloud/omnify/store/sqlite"
)

const (
	email    = "bench@example.com"
	password = "benchmark password 4821"
)

func main() {
	full := flag.String("full", "127.0.0.1:18080", "address of the full API")
	bare := flag.String("bare", "127.0.0.1:18081", "address of the bare handler")
	logins := flag.Int("logins", 50, "sequential logins to time")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the serving phase to this file")
	flag.Parse()
	if err := run(*full, *bare, *logins, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "bench server:", err)
		os.Exit(1)
	}
}

func run(fullAddr, bareAddr string, logins int, cpuProfile string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir, err := os.MkdirTemp("", "omnify-apibench-")
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
	// High enough never to refuse, but a valid rate, so every request still
	// pays for both limiter checks (per IP and per org).
	unlimited := limit.PerSecond(1_000_000)
	srv, err := api.New(api.Config{IPRate: unlimited, OrgRate: unlimited},
		api.Deps{Store: db, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	fullURL, err := serve(fullAddr, srv.Handler())
	if err != nil {
		return err
	}
	bareURL, err := serve(bareAddr, bareHandler())
	if err != nil {
		return err
	}
	token, err := register(fullURL)
	if err != nil {
		return err
	}
	p50, p99, err := timeLogins(fullURL, logins)
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		stopProfile, err := startProfile(cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
	}
	fmt.Printf("FULL=%s\nBARE=%s\nTOKEN=%s\nLOGIN_P50_MS=%.1f\nLOGIN_P99_MS=%.1f\nREADY=1\n", fullURL, bareURL, token,
		ms(p50), ms(p99))
	<-ctx.Done()
	return nil
}

func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func serve(addr string, h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("listen %s: %w", addr, err)
	}
	go func() { _ = http.Serve(ln, h) }()
	return "http://" + ln.Addr().String(), nil
}

// bareHandler answers with a document shaped like GET /v1/me, marshalled
// per request, so the comparison isolates the cost of the full stack.
func bareHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		me := api.Me{User: api.UserView{ID: "0190d1f0-0000-7000-8000-000000000001", Email: email},
			Org: api.OrgView{ID: "0190d1f0-0000-7000-8000-000000000002", Name: "Bench"}, Role: "owner",
			Memberships: []api.MembershipView{{OrgID: "0190d1f0-0000-7000-8000-000000000002", OrgName: "Bench", Role: "owner"}}}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(me)
	})
}

func register(base string) (string, error) {
	var s api.Session
	body := map[string]string{"email": email, "password": password, "org_name": "Bench"}
	if err := post(base+"/v1/auth/register", body, http.StatusCreated, &s); err != nil {
		return "", fmt.Errorf("register: %w", err)
	}
	return s.AccessToken, nil
}

func timeLogins(base string, n int) (p50, p99 time.Duration, err error) {
	ds := make([]time.Duration, 0, n)
	body := map[string]string{"email": email, "password": password}
	for range n {
		start := time.Now()
		if err := post(base+"/v1/auth/login", body, http.StatusOK, nil); err != nil {
			return 0, 0, fmt.Errorf("login: %w", err)
		}
		ds = append(ds, time.Since(start))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], ds[len(ds)*99/100], nil
}

func post(url string, body any, want int, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("status %d: %s", resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
