package middleware

import "net/http"

// recorder remembers the status and size of a response while passing it
// through. It exposes the wrapped writer through Unwrap, so
// http.ResponseController still reaches flushing and deadlines.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func newRecorder(w http.ResponseWriter) *recorder { return &recorder{ResponseWriter: w} }

func (w *recorder) WriteHeader(code int) {
	// 1xx responses are interim; the final status comes later.
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush lets streaming handlers flush through the recorder.
func (w *recorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrote reports whether the response has started.
func (w *recorder) wrote() bool { return w.status != 0 }

// Status returns the response status; a handler that wrote nothing gets 200
// from net/http.
func (w *recorder) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
