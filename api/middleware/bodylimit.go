package middleware

import (
	"errors"
	"io"
	"net/http"
	"sync/atomic"
)

// BodyLimit caps request bodies at n bytes. A declared Content-Length over
// n is refused at once with 413; a longer streamed body fails the
// handler's read with *http.MaxBytesError, and whatever the handler then
// answers is replaced with the 413 problem, so the client always learns
// why.
func BodyLimit(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				tooLarge(w, r)
				return
			}
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			lw := &limitWriter{recorder: newRecorder(w), r: r}
			r.Body = &limitBody{ReadCloser: http.MaxBytesReader(w, r.Body, n), hit: &lw.hit}
			next.ServeHTTP(lw, r)
		})
	}
}

// IsTooLarge reports whether err comes from reading a body over the limit.
func IsTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func tooLarge(w http.ResponseWriter, r *http.Request) {
	WriteProblem(w, r, http.StatusRequestEntityTooLarge, "", "request body is too large")
}

// limitBody notes when the limit was hit.
type limitBody struct {
	io.ReadCloser
	hit *atomic.Bool
}

func (b *limitBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && IsTooLarge(err) {
		b.hit.Store(true)
	}
	return n, err
}

// limitWriter answers 413 in place of the handler once the limit was hit.
type limitWriter struct {
	*recorder
	r        *http.Request
	hit      atomic.Bool
	replaced bool
}

func (w *limitWriter) WriteHeader(code int) {
	if w.replaced {
		return
	}
	if w.hit.Load() && !w.wrote() && code != http.StatusRequestEntityTooLarge && code >= 200 {
		w.replaced = true
		tooLarge(w.recorder, w.r)
		return
	}
	w.recorder.WriteHeader(code)
}

func (w *limitWriter) Write(b []byte) (int, error) {
	if !w.wrote() {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(b), nil
	}
	return w.recorder.Write(b)
}

func (w *limitWriter) Unwrap() http.ResponseWriter { return w.recorder }
