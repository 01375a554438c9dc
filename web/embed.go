//go:build !no_ui

package web

import (
	"embed"
	"io/fs"
	"net/http"
)

// dist holds the Vite build. The all: prefix keeps dist/.gitkeep, so a fresh
// clone that has not built the app still compiles.
//
//go:embed all:dist
var dist embed.FS

// Handler serves the embedded dashboard build with SPA fallback.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path, and "dist" is valid.
		return NewHandler(dist)
	}
	return NewHandler(sub)
}
