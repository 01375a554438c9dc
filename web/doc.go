// Package web owns the OmniFy dashboard: the React app in this folder, its
// production build in dist/, and the HTTP handler that serves that build
// from inside the omnify binary.
//
// Build the app with `make web` (npm ci && npm run build) before `go build`;
// without a build the handler answers with a page that says so, and the
// no_ui build tag leaves the dashboard out of the binary entirely.
package web
