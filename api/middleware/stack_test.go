package middleware_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/omnify-cloud/omnify/api/middleware"
	"github.com/omnify-cloud/omnify/limit"
)

// TestStackOverRealServer runs the whole pipeline in the order the API uses
// over a real connection, and checks that a streaming handler can still
// flush and set deadlines through every wrapper.
func TestStackOverRealServer(t *testing.T) {
	var buf logBuffer
	log := buf.logger()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/stream", func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Errorf("SetWriteDeadline through the stack: %v", err)
		}
		for i := range 3 {
			_, _ = io.WriteString(w, "tick\n")
			if err := rc.Flush(); err != nil {
				t.Errorf("Flush %d through the stack: %v", i, err)
			}
		}
	})
	mux.HandleFunc("POST /v1/upload", func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			http.Error(w, "read failed", http.StatusBadRequest)
		}
	})
	h := middleware.Chain(mux,
		middleware.RequestID(),
		middleware.Recover(log),
		middleware.AccessLog(log),
		middleware.SecureHeaders(""),
		middleware.CORS([]string{"https://app.example.com"}),
		middleware.Metrics(prometheus.NewRegistry()).Handler,
		middleware.RateLimit(limit.NewMemory(nil), middleware.ByIP(false), limit.PerMinute(100)),
		middleware.BodyLimit(1024),
	)
	srv := httptest.NewServer(h)
	defer srv.Close()

	res, err := http.Get(srv.URL + "/v1/stream")
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for sc := bufio.NewScanner(res.Body); sc.Scan(); lines++ {
	}
	res.Body.Close()
	if lines != 3 || res.Header.Get(middleware.RequestIDHeader) == "" || res.Header.Get("RateLimit-Limit") != "100" ||
		res.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("stream: %d lines, headers %v", lines, res.Header)
	}

	// Chunked upload over the limit: the client learns 413 even though the
	// handler answered 400.
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.Copy(pw, io.LimitReader(strings.NewReader(strings.Repeat("x", 4096)), 4096))
		pw.Close()
	}()
	res, err = http.Post(srv.URL+"/v1/upload", "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || res.Header.Get("Content-Type") != middleware.ProblemContentType {
		t.Errorf("oversize upload: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if n := strings.Count(buf.String(), `"msg":"http request"`); n != 2 {
		t.Errorf("%d access lines, want 2", n)
	}
}
