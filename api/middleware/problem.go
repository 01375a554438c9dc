package middleware

import (
	"encoding/json"
	"net/http"
)

// ProblemContentType is RFC 9457's media type.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// WriteProblem answers with a problem+json document. An empty title is the
// status text. Instance is the request path, without the query, which may
// carry secrets.
func WriteProblem(w http.ResponseWriter, r *http.Request, status int, title, detail string) {
	if title == "" {
		title = http.StatusText(status)
	}
	p := Problem{Type: "about:blank", Title: title, Status: status, Detail: detail}
	if r != nil && r.URL != nil {
		p.Instance = r.URL.Path
	}
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}
