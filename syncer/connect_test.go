package syncer_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/connector/fake"
	"github.com/omnify-cloud/omnify/secret"
	"github.com/omnify-cloud/omnify/syncer"
)

func TestConnectValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.New(1, 1, 1))
	good := func() syncer.ConnectInput {
		return syncer.ConnectInput{Platform: fake.Platform, Credentials: map[string]any{"access_token": fake.Token},
			Config: map[string]any{"shop": "acme", "page_size": float64(100)}}
	}
	tests := []struct {
		name  string
		edit  func(*syncer.ConnectInput)
		field string
	}{
		{"unknown platform", func(in *syncer.ConnectInput) { in.Platform = "myspace" }, "body.platform"},
		{"missing token", func(in *syncer.ConnectInput) { delete(in.Credentials, "access_token") }, "body.credentials.access_token"},
		{"empty token", func(in *syncer.ConnectInput) { in.Credentials["access_token"] = "" }, "body.credentials.access_token"},
		{"token of the wrong type", func(in *syncer.ConnectInput) { in.Credentials["access_token"] = 12 }, "body.credentials.access_token"},
		{"token of the wrong format", func(in *syncer.ConnectInput) { in.Credentials["access_token"] = "sk_live_abcdefgh" }, "body.credentials.access_token"},
		{"unknown credential", func(in *syncer.ConnectInput) { in.Credentials["password"] = "hunter2hunter2" }, "body.credentials.password"},
		{"missing shop", func(in *syncer.ConnectInput) { delete(in.Config, "shop") }, "body.config.shop"},
		{"shop of the wrong format", func(in *syncer.ConnectInput) { in.Config["shop"] = "Acme Shop!" }, "body.config.shop"},
		{"fractional page size", func(in *syncer.ConnectInput) { in.Config["page_size"] = 2.5 }, "body.config.page_size"},
		{"page size too large", func(in *syncer.ConnectInput) { in.Config["page_size"] = float64(1000) }, "body.config.page_size"},
		{"page size as text", func(in *syncer.ConnectInput) { in.Config["page_size"] = "100" }, "body.config.page_size"},
		{"refused token", func(in *syncer.ConnectInput) { in.Credentials["access_token"] = "tok_wrongtoken1" }, "body.credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good()
			tt.edit(&in)
			_, err := e.s.Connect(t.Context(), orgID, in)
			var fe *omnify.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("error %v, want a field error on %s", err, tt.field)
			}
			if tok, _ := in.Credentials["access_token"].(string); len(tok) > 4 && strings.Contains(err.Error(), tok) {
				t.Fatalf("error repeats the credential: %v", err)
			}
		})
	}
	cs, _, err := e.db.ListConnections(t.Context(), orgID, storePage1)
	if err != nil || len(cs) != 0 {
		t.Fatalf("refused connections were stored: %d (%v)", len(cs), err)
	}
}

func TestConnectStoresCredentialsEncrypted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.New(1, 1, 1))
	c := e.connect()
	if c.Name != "Fake shop" || c.Health != omnify.HealthHealthy || c.ScheduleEvery != time.Hour {
		t.Fatalf("connection %+v", c)
	}
	stored := e.connection(c.ID)
	if len(stored.CredentialsCiphertext) == 0 || bytes.Contains(stored.CredentialsCiphertext, []byte(fake.Token)) {
		t.Fatal("credentials are not encrypted at rest")
	}
	if stored.Config["shop"] != "acme" {
		t.Fatalf("config %v", stored.Config)
	}
	box, _ := secret.New(testKey)
	if _, err := box.Open(stored.CredentialsCiphertext, []byte("omnify/connection/v1/org-2/"+c.ID)); err == nil {
		t.Fatal("credentials open in another org's context")
	}
	wrong := bytes.Repeat([]byte{7}, 32)
	e.restart(func(cfg *syncer.Config) { cfg.Box, _ = secret.New(wrong) })
	run := e.sync(c.ID, omnify.SyncIncremental)
	if run.Status != omnify.JobDead {
		t.Fatalf("a sync under the wrong master key: %s", run.Status)
	}
}

func TestConnectKeepsTransientlyFailingConnections(t *testing.T) {
	t.Parallel()
	src := fake.New(1, 1, 1)
	down := &failingCheck{Connector: src, err: connector.BackOff(time.Minute, "the shop answered 503", nil)}
	e := newEnv(t, src, func(c *syncer.Config) {
		c.Wrap = func(connector.Connector) connector.Connector { return down }
	})
	c := e.connect()
	if c.Health != omnify.HealthDegraded || !strings.Contains(c.LastError, "503") || c.NextRetryAt.IsZero() {
		t.Fatalf("connection after a failed check: %s %q %v", c.Health, c.LastError, c.NextRetryAt)
	}
}

type failingCheck struct {
	connector.Connector
	err error
}

func (f *failingCheck) Check(context.Context, connector.Connection) error { return f.err }

func TestSchedulerEnqueuesOncePerSlot(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, fake.New(1, 5, 5), func(c *syncer.Config) { c.Now = func() time.Time { return clock } })
	c := e.connect()
	sched := &syncer.Scheduler{Syncer: e.s}
	if n, err := sched.Tick(t.Context()); err != nil || n != 1 {
		t.Fatalf("first tick started %d (%v), want 1", n, err)
	}
	if n, _ := sched.Tick(t.Context()); n != 0 {
		t.Fatalf("second tick in the same slot started %d", n)
	}
	if !e.jobs.RunOne(t.Context(), "test") {
		t.Fatal("no scheduled job")
	}
	if n, _ := sched.Tick(t.Context()); n != 0 {
		t.Fatalf("a tick right after a sync started %d", n)
	}
	clock = clock.Add(time.Hour)
	if n, _ := sched.Tick(t.Context()); n != 1 {
		t.Fatalf("a tick an hour later started %d, want 1", n)
	}
	rs, _, err := e.db.ListSyncRuns(t.Context(), orgID, c.ID, storePage1)
	if err != nil || rs[0].Trigger != syncer.TriggerSchedule || rs[0].Mode != omnify.SyncIncremental {
		t.Fatalf("scheduled run %+v (%v)", rs, err)
	}
}

func TestTriggerSyncJoinsARunningSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.New(1, 5, 5))
	c := e.connect()
	a, err := e.s.TriggerSync(t.Context(), orgID, c.ID, []string{fake.StreamOrders})
	if err != nil || a.Trigger != syncer.TriggerWebhook {
		t.Fatalf("trigger: %+v %v", a, err)
	}
	b, err := e.s.TriggerSync(t.Context(), orgID, c.ID, nil)
	if err != nil || b.ID != a.ID {
		t.Fatalf("a second trigger while queued: %v %v, want the same run", b, err)
	}
	if _, err := e.s.StartSync(t.Context(), orgID, c.ID, omnify.SyncFull, nil); !errors.Is(err, syncer.ErrBusy) {
		t.Fatalf("a manual sync while one is queued: %v", err)
	}
	if _, err := e.s.StartSync(t.Context(), orgID, c.ID, "sideways", nil); !isField(err, "body.mode") {
		t.Fatalf("bad mode: %v", err)
	}
	if _, err := e.s.StartSync(t.Context(), orgID, c.ID, omnify.SyncBackfill, nil); !isField(err, "body.streams") {
		t.Fatalf("backfill without streams: %v", err)
	}
	if _, err := e.s.StartSync(t.Context(), orgID, c.ID, omnify.SyncFull, []string{"refunds"}); !isField(err, "body.streams[0]") {
		t.Fatalf("unknown stream: %v", err)
	}
	if _, err := e.s.StartSync(t.Context(), "org-2", c.ID, omnify.SyncFull, nil); !errors.Is(err, omnify.ErrNotFound) {
		t.Fatalf("another org's connection: %v", err)
	}
}

func isField(err error, field string) bool {
	var fe *omnify.FieldError
	return errors.As(err, &fe) && fe.Field == field
}

func TestCredentialsForWebhooks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fake.New(1, 1, 1))
	c := e.connect()
	got, creds, err := e.s.Credentials(t.Context(), orgID, c.ID)
	if err != nil || got.ID != c.ID || creds["access_token"] != fake.Token {
		t.Fatalf("credentials: %v %v", creds, err)
	}
	if _, _, err := e.s.Credentials(t.Context(), "org-2", c.ID); !errors.Is(err, omnify.ErrNotFound) {
		t.Fatalf("another org's connection: %v", err)
	}
}

func TestUpdateReconnectsKeepingState(t *testing.T) {
	t.Parallel()
	src := fake.New(1, 20, 300)
	e := newEnv(t, src)
	c := e.connect()
	e.sync(c.ID, omnify.SyncFull)
	before := states(t, e, c.ID)
	src.Token = "tok_rotatedtoken2"
	if run := e.sync(c.ID, omnify.SyncIncremental); run.Status != omnify.JobDead {
		t.Fatalf("sync with the old token: %s", run.Status)
	}
	_, err := e.s.Update(t.Context(), orgID, c.ID, syncer.UpdateInput{Credentials: map[string]any{"access_token": "tok_stillwrong1"}})
	if !isField(err, "body.credentials") {
		t.Fatalf("update with refused credentials: %v", err)
	}
	if e.connection(c.ID).Health != omnify.HealthDisconnected {
		t.Fatal("a refused update changed the connection")
	}
	name, every := "Main shop", 15*time.Minute
	got, err := e.s.Update(t.Context(), orgID, c.ID, syncer.UpdateInput{Name: &name, ScheduleEvery: &every,
		Credentials: map[string]any{"access_token": "tok_rotatedtoken2"}})
	if err != nil {
		t.Fatal(err)
	}
	stored := e.connection(c.ID)
	if got.Health != omnify.HealthHealthy || stored.Health != omnify.HealthHealthy || stored.Name != name ||
		stored.ScheduleEvery != every || stored.Config["shop"] != "acme" {
		t.Fatalf("after reconnecting: %+v", stored)
	}
	if after := states(t, e, c.ID); after[fake.StreamOrders].Version != before[fake.StreamOrders].Version {
		t.Fatal("reconnecting lost the saved state")
	}
	src.Update(3)
	if run := e.sync(c.ID, omnify.SyncIncremental); run.Status != omnify.JobSucceeded || run.Progress[fake.StreamOrders].Read > 3 {
		t.Fatalf("incremental sync after reconnecting: %s, read %d", run.Status, run.Progress[fake.StreamOrders].Read)
	}
	wantStoreMatchesSource(t, e.db, src)
}
