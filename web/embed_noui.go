//go:build no_ui

package web

import "net/http"

// Handler returns nil: the binary was built without the dashboard, and the
// server then serves the API alone.
func Handler() http.Handler { return nil }
