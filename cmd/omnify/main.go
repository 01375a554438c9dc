// Command omnify is OmniFy Cloud Connect in one binary: the API server with
// its embedded dashboard, the background worker, migrations, the EYES
// analytics on the command line, demo data and administration.
//
// This package is the only place that wires OmniFy's packages together.
package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"

	"github.com/omnify-cloud/omnify"
)

// CLI is the root of the command tree. Every setting is a flag that can also
// be given as an OMNIFY_* environment variable.
type CLI struct {
	Version kong.VersionFlag `help:"Print the version and exit."`

	Eyes EyesCmd `cmd:"" help:"Customer segmentation and churn prediction."`
}

func main() {
	var cli CLI
	ctx := kong.Parse(&cli,
		kong.Name("omnify"),
		kong.Description("OmniFy Cloud Connect: unify customers across platforms, segment them, predict churn, act on it."),
		kong.UsageOnError(),
		kong.Vars{"version": omnify.Version},
	)
	if err := ctx.Run(&cli); err != nil {
		fmt.Fprintln(os.Stderr, "omnify:", err)
		os.Exit(1)
	}
}
