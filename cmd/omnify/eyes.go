package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/omnify-cloud/omnify/eyes"
)

// EyesCmd groups the EYES analytics commands.
type EyesCmd struct {
	Run EyesRunCmd `cmd:"" help:"Segment customers and score churn from a transactions CSV."`
	Fit EyesFitCmd `cmd:"" help:"Fit a BG/NBD, Pareto/NBD or Gamma-Gamma model and print its parameters as JSON."`
}

// EyesRunCmd runs the whole EYES pipeline on a file.
type EyesRunCmd struct {
	Transactions string `required:"" type:"existingfile" help:"Transactions CSV (customer_id, order_date, amount; optional order_id, email, currency, consent, platform)."`
	AsOf         string `required:"" name:"as-of" help:"Analysis date YYYY-MM-DD; later rows are ignored."`
	Out          string `required:"" help:"Directory for customers.csv, features.csv and report.json."`
	Horizons     []int  `default:"30,60,90" help:"Churn horizons in days."`
	Seed         int64  `default:"0" help:"Seed for every sample and restart."`
	ExactLimit   int    `name:"silhouette-exact-limit" default:"20000" help:"Largest customer count whose silhouette is computed exactly; above it a sample is scored."`
}

// Run executes the pipeline and writes its files.
func (c *EyesRunCmd) Run() error {
	asOf, err := time.Parse(time.DateOnly, c.AsOf)
	if err != nil {
		return fmt.Errorf("--as-of %q: want YYYY-MM-DD", c.AsOf)
	}
	f, err := os.Open(c.Transactions)
	if err != nil {
		return err
	}
	defer f.Close()
	// A run holds one large working set for a short time: collect garbage
	// less often, but never let the heap pass 3 GiB.
	debug.SetGCPercent(200)
	debug.SetMemoryLimit(3 << 30)
	cfg := eyes.Config{Seed: c.Seed, Horizons: c.Horizons, SilhouetteExactLimit: c.ExactLimit}
	res, err := eyes.RunCSV(context.Background(), f, asOf, cfg)
	if err != nil {
		return err
	}
	if err := eyes.WriteOutputs(c.Out, res); err != nil {
		return err
	}
	fmt.Println(eyes.Summary(res))
	fmt.Printf("wrote %s, %s, %s\n", filepath.Join(c.Out, "customers.csv"), filepath.Join(c.Out, "features.csv"),
		filepath.Join(c.Out, "report.json"))
	return nil
}

// EyesFitCmd fits one purchase or spend model.
type EyesFitCmd struct {
	Model          string `required:"" enum:"bgnbd,paretonbd,gammagamma" help:"Model: bgnbd, paretonbd or gammagamma."`
	Transactions   string `required:"" type:"existingfile" help:"Transactions CSV."`
	CalibrationEnd string `required:"" name:"calibration-end" help:"Last day of the calibration period, YYYY-MM-DD."`
	TimeUnit       string `name:"time-unit" enum:"week,day" default:"week" help:"Time unit of recency and age: week or day."`
}

// Run fits the model and prints {"model", "params", "loglik"}.
func (c *EyesFitCmd) Run() error {
	end, err := time.Parse(time.DateOnly, c.CalibrationEnd)
	if err != nil {
		return fmt.Errorf("--calibration-end %q: want YYYY-MM-DD", c.CalibrationEnd)
	}
	f, err := os.Open(c.Transactions)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := eyes.FitPurchaseModel(f, c.Model, end, c.TimeUnit)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}
