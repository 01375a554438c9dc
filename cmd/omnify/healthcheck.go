package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// HealthcheckCmd asks the local server's /health whether it answers. It
// exists because the container image has no shell or curl: Docker's
// HEALTHCHECK runs the binary itself.
type HealthcheckCmd struct {
	Addr       string        `name:"addr" env:"OMNIFY_ADDR" default:"127.0.0.1:8080" help:"Address the server listens on (as given to serve)."`
	HealthAddr string        `name:"health-addr" env:"OMNIFY_HEALTH_ADDR" help:"Address of a worker's health endpoints; when set it is probed instead of --addr."`
	Timeout    time.Duration `name:"timeout" default:"3s" help:"How long to wait for the answer."`
}

// Run returns an error, so the process exits 1, unless /health answers 200.
func (c *HealthcheckCmd) Run() error {
	addr := c.Addr
	if c.HealthAddr != "" {
		addr = c.HealthAddr
	}
	url, err := healthURL(addr)
	if err != nil {
		return err
	}
	return probe(context.Background(), url, c.Timeout)
}

// healthURL turns a listen address into one the probe can dial: a server
// listening on every interface is reached on loopback.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("OMNIFY_ADDR (--addr) must be host:port, not %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/health", nil
}

func probe(ctx context.Context, url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("healthcheck %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck %s: status %d", url, resp.StatusCode)
	}
	return nil
}
