package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/demo"
)

// TestIntegrationAMQPWorkerKilledMidJob kills -9 a worker process while it
// runs an EYES job; a second worker must finish the job, exactly once.
func TestIntegrationAMQPWorkerKilledMidJob(t *testing.T) {
	url := os.Getenv("OMNIFY_TEST_AMQP_URL")
	if url == "" {
		t.Skip("OMNIFY_TEST_AMQP_URL is not set (e.g. amqp://guest:guest@127.0.0.1:5672/)")
	}
	bin := filepath.Join(t.TempDir(), "omnify")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build omnify: %v\n%s", err, out)
	}
	dir := t.TempDir()
	prefix := fmt.Sprintf("omnify.test.worker.%d.%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() { deleteQueues(url, prefix, prefix+".dead") })
	flags := QueueFlags{AMQPURL: url, AMQPQueue: prefix, JobLease: 2 * time.Second, JobSweep: time.Minute}

	a, err := openAppWith(t.Context(), &Common{DataDir: dir}, slog.New(slog.DiscardHandler), flags.jobsConfig(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := flags.attach(a); err != nil {
		t.Fatal(err)
	}
	orgID := seedOrg(t, a, 3000)

	worker := func(name string) *exec.Cmd {
		cmd := exec.Command(bin, "worker", "--data-dir", dir, "--amqp-url", url, "--amqp-queue", prefix,
			"--job-lease", "2s", "--workers", "1", "--log-format", "text")
		cmd.Stderr = &prefixWriter{t: t, name: name}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	first := worker("worker-1")
	run, err := a.eyes.Start(t.Context(), orgID, "", time.Time{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	j := waitJob(t, a, orgID, run.JobID, omnify.JobRunning, 20*time.Second)
	if !strings.HasSuffix(j.LockedBy, fmt.Sprintf("-%d-0", first.Process.Pid)) {
		t.Fatalf("job locked by %q, want the first worker (pid %d)", j.LockedBy, first.Process.Pid)
	}
	if err := first.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	worker("worker-2")
	done := waitJob(t, a, orgID, run.JobID, omnify.JobSucceeded, 25*time.Second)
	if done.Attempts != 2 {
		t.Fatalf("job succeeded after %d attempts, want 2 (one killed, one finished)", done.Attempts)
	}
	got, err := a.store.GetEyesRun(t.Context(), orgID, run.ID)
	if err != nil || got.Status != omnify.JobSucceeded || len(got.Report) == 0 {
		t.Fatalf("EYES run after the takeover: %+v %v", got, err)
	}
}

func seedOrg(t *testing.T, a *app, n int) string {
	t.Helper()
	ctx := t.Context()
	org := &omnify.Org{ID: "org-kill", Name: "Kill", CreatedAt: time.Now().UTC()}
	if err := a.store.CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	end := time.Now().UTC().Truncate(24 * time.Hour)
	ds, err := demo.Generate(demo.Config{Customers: n, Seed: 3, Start: end.AddDate(-2, 0, 0), End: end})
	if err != nil {
		t.Fatal(err)
	}
	cs := make([]omnify.Customer, 0, len(ds.Customers))
	for _, c := range ds.Customers {
		cs = append(cs, omnify.Customer{ID: c.ID, Email: c.Email, Name: c.Name, Consent: omnify.Consent(c.Consent), Platforms: c.Platforms})
	}
	orders := make([]omnify.Order, 0, len(ds.Orders))
	for _, o := range ds.Orders {
		orders = append(orders, omnify.Order{ID: o.ID, CustomerID: o.CustomerID, Platform: o.Platform, PlacedAt: o.PlacedAt, AmountMinor: o.AmountMinor, Currency: o.Currency})
	}
	if err := a.store.UpsertCustomers(ctx, org.ID, cs); err != nil {
		t.Fatal(err)
	}
	if err := a.store.UpsertOrders(ctx, org.ID, orders); err != nil {
		t.Fatal(err)
	}
	return org.ID
}

func waitJob(t *testing.T, a *app, orgID, id string, want omnify.JobStatus, within time.Duration) *omnify.Job {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		j, err := a.store.GetJob(context.Background(), orgID, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status == want {
			return j
		}
		if time.Now().After(deadline) || j.Status == omnify.JobDead {
			t.Fatalf("job is %s (attempt %d, error %q), want %s", j.Status, j.Attempts, j.Error, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func deleteQueues(url string, names ...string) {
	conn, err := amqp.Dial(url)
	if err != nil {
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	for _, n := range names {
		_, _ = ch.QueueDelete(n, false, false, false)
	}
}

// prefixWriter sends a subprocess's log lines to the test log.
type prefixWriter struct {
	t    *testing.T
	name string
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s: %s", w.name, strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
