package main

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// Common holds the settings every subcommand that touches the data dir shares.
type Common struct {
	DataDir   string `name:"data-dir" env:"OMNIFY_DATA_DIR" default:"./data" help:"Directory for the embedded store, keys and other state."`
	LogLevel  string `name:"log-level" env:"OMNIFY_LOG_LEVEL" default:"info" help:"Log level: debug, info, warn or error."`
	LogFormat string `name:"log-format" env:"OMNIFY_LOG_FORMAT" default:"json" help:"Log format: json or text."`
	StoreFlags
}

// validate checks the shared settings; messages name the variable at fault.
func (c *Common) validate() error {
	if _, err := parseLevel(c.LogLevel); err != nil {
		return err
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		return fmt.Errorf("OMNIFY_LOG_FORMAT (--log-format) must be json or text, not %q", c.LogFormat)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return fmt.Errorf("OMNIFY_DATA_DIR (--data-dir) must not be empty")
	}
	return nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("OMNIFY_LOG_LEVEL (--log-level) must be debug, info, warn or error, not %q", s)
	}
	return l, nil
}

// logger builds the process logger writing to w.
func (c *Common) logger(w io.Writer) *slog.Logger {
	lvl, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// ensureDataDir creates the data dir (mode 0700) and returns its absolute path.
func (c *Common) ensureDataDir() (string, error) {
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return "", fmt.Errorf("OMNIFY_DATA_DIR: %w", err)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", fmt.Errorf("OMNIFY_DATA_DIR: %w", err)
	}
	return abs, nil
}

func (c *Common) dbPath(dir string) string { return filepath.Join(dir, "omnify.db") }

func validateAddr(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("OMNIFY_ADDR (--addr) must be host:port, not %q: %v", addr, err)
	}
	return nil
}

func validateOrigins(origins []string) error {
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
			return fmt.Errorf("OMNIFY_CORS_ORIGINS (--cors-origins) entry %q must be an origin like https://app.example.com", o)
		}
	}
	return nil
}
