package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/omnify-cloud/omnify"
)

// HealthFlags give a process that serves no API (the worker) the same
// /health, /health/ready and /metrics the API has, so orchestrators probe
// and Prometheus scrapes every OmniFy process alike.
type HealthFlags struct {
	HealthAddr string `name:"health-addr" env:"OMNIFY_HEALTH_ADDR" help:"Address serving /health, /health/ready and /metrics for probes and Prometheus, e.g. 0.0.0.0:8080; empty serves nothing."`
}

// healthReadyTimeout bounds the readiness check so a hung store reads as down.
const healthReadyTimeout = 2 * time.Second

// start listens on HealthAddr (when set) until ctx ends. It binds before
// returning so a taken port stops start-up instead of failing silently.
func (f *HealthFlags) start(ctx context.Context, log *slog.Logger, ready func(context.Context) error) error {
	if f.HealthAddr == "" {
		return nil
	}
	if err := validateAddr(f.HealthAddr); err != nil {
		return fmt.Errorf("OMNIFY_HEALTH_ADDR: %w", err)
	}
	ln, err := net.Listen("tcp", f.HealthAddr)
	if err != nil {
		return fmt.Errorf("OMNIFY_HEALTH_ADDR: %w", err)
	}
	hs := &http.Server{Handler: healthHandler(ready), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("health server stopped", "err", err)
		}
	}()
	log.Info("health endpoints serving", "addr", "http://"+ln.Addr().String())
	return nil
}

// healthHandler answers the probe and scrape routes; ready is the
// dependency check behind /health/ready.
func healthHandler(ready func(context.Context) error) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		writeHealth(w, http.StatusOK, map[string]string{"status": "ok", "version": omnify.Version})
	})
	mux.HandleFunc("GET /health/ready", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), healthReadyTimeout)
		defer cancel()
		if err := ready(ctx); err != nil {
			writeHealth(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": err.Error()})
			return
		}
		writeHealth(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

func writeHealth(w http.ResponseWriter, status int, body map[string]string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
