package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// runCLI parses args against the real command tree and runs the command,
// returning what it printed to stdout.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var cli CLI
	parser, err := kong.New(&cli, kong.Name("omnify"), kong.Exit(func(int) { t.Fatal("kong tried to exit") }))
	if err != nil {
		t.Fatal(err)
	}
	ctx, err := parser.Parse(args)
	if err != nil {
		return "", err
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	runErr := ctx.Run(&cli)
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	return string(out), runErr
}

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func cdnowSample(t *testing.T) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "data", "cdnow", "cdnow_sample_transactions.csv")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("CDNOW sample not available: %v", err)
	}
	return p
}

func TestEyesRunWritesFiles(t *testing.T) {
	out := t.TempDir()
	stdout, err := runCLI(t, "eyes", "run", "--transactions", cdnowSample(t), "--as-of", "1998-03-31", "--out", out,
		"--horizons", "30,60,90", "--seed", "7")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "report.json") {
		t.Errorf("stdout %q does not name the written files", stdout)
	}
	head, err := os.ReadFile(filepath.Join(out, "customers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(head, []byte("customer_id,segment,cluster,churn_30,churn_60,churn_90,p_alive,expected_clv")) {
		t.Errorf("customers.csv starts %q", head[:80])
	}
	var rep map[string]any
	b, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil || json.Unmarshal(b, &rep) != nil || rep["seed"] != float64(7) {
		t.Errorf("report.json unreadable or without the seed: %v", err)
	}
}

func TestEyesRunReportsBadInput(t *testing.T) {
	bad := writeFile(t, "bad.csv", "customer_id,order_date,amount\nc1,2024-01-02,-3\n")
	_, err := runCLI(t, "eyes", "run", "--transactions", bad, "--as-of", "2024-12-31", "--out", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("error %v, want one naming line 2", err)
	}
	if _, err := runCLI(t, "eyes", "run", "--transactions", bad, "--as-of", "31/12/2024", "--out", t.TempDir()); err == nil {
		t.Error("a malformed --as-of was accepted")
	}
}

func TestEyesFitPrintsParameters(t *testing.T) {
	stdout, err := runCLI(t, "eyes", "fit", "--model", "bgnbd", "--transactions", cdnowSample(t), "--calibration-end", "1997-09-30")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Model  string
		Params map[string]float64
		LogLik *float64
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("output %q: %v", stdout, err)
	}
	if res.Model != "bgnbd" || len(res.Params) != 4 || res.LogLik == nil || res.Params["r"] < 0.2 || res.Params["r"] > 0.3 {
		t.Errorf("fit output %q", stdout)
	}
	if _, err := runCLI(t, "eyes", "fit", "--model", "arima", "--transactions", cdnowSample(t), "--calibration-end", "1997-09-30"); err == nil {
		t.Error("an unknown model was accepted")
	}
}
