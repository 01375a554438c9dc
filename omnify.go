// Package omnify holds OmniFy's domain: the nouns every other package speaks
// of (organisations, users, memberships, customers, orders, jobs, EYES runs)
// and the error kinds that cross package boundaries. It imports nothing of
// OmniFy's own and does no I/O.
package omnify

// Version is the release version, set at build time with
// -ldflags "-X github.com/omnify-cloud/omnify.Version=...".
var Version = "dev"
