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

	Serve       ServeCmd       `cmd:"" help:"Serve the API and the dashboard, and run background jobs."`
	Worker      WorkerCmd      `cmd:"" help:"Run background jobs only (syncs, EYES runs), taking them from RabbitMQ or the store."`
	Migrate     MigrateCmd     `cmd:"" help:"Manage the embedded store's schema."`
	Demo        DemoCmd        `cmd:"" help:"Create a demo organisation with synthetic customers, orders and campaigns."`
	Eyes        EyesCmd        `cmd:"" help:"Customer segmentation and churn prediction."`
	Import      ImportCmd      `cmd:"" help:"Import a transactions CSV or a Shopify customer or order export into an organisation."`
	Admin       AdminCmd       `cmd:"" help:"Operator tasks run against the data dir."`
	OpenAPI     OpenAPICmd     `cmd:"" name:"openapi" help:"Print the API's OpenAPI 3.1 document."`
	Healthcheck HealthcheckCmd `cmd:"" help:"Exit 0 if the local server's /health answers, 1 otherwise (container health checks)."`
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
