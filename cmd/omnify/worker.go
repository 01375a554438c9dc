package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/omnify-cloud/omnify/api"
)

// WorkerCmd runs background jobs only: no API, no dashboard. With
// OMNIFY_AMQP_URL several workers on several machines share the jobs.
type WorkerCmd struct {
	Common
	Workers  int    `name:"workers" env:"OMNIFY_WORKERS" default:"2" help:"Background jobs run at once in this process."`
	RedisURL string `name:"redis-url" env:"OMNIFY_REDIS_URL" help:"Redis holding the vendor request budgets every worker and replica share (redis://[:password@]host:port/db); empty keeps them in-process."`
	ConnectorFlags
	QueueFlags
	HealthFlags
}

func (c *WorkerCmd) validate() error {
	if err := c.Common.validate(); err != nil {
		return err
	}
	if c.Workers <= 0 {
		return fmt.Errorf("OMNIFY_WORKERS (--workers) must be positive")
	}
	if err := validateRedisURL(c.RedisURL); err != nil {
		return err
	}
	return c.QueueFlags.validate()
}

// Run works jobs until SIGINT or SIGTERM. A job interrupted by the signal
// is left to its lease, so another worker takes it over.
func (c *WorkerCmd) Run() error {
	if err := c.validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := c.logger(os.Stderr)
	a, err := openAppWith(ctx, &c.Common, log, c.QueueFlags.jobsConfig(c.Workers))
	if err != nil {
		return err
	}
	defer a.Close()
	if err := c.QueueFlags.attach(a); err != nil {
		return err
	}
	lim, err := apiLimiter(c.RedisURL, log, nil)
	if err != nil {
		return err
	}
	// The sync handler needs what the API would get; the API itself is not built.
	deps := &api.Deps{Store: a.store, Logger: log, Jobs: a.jobs, Limiter: lim}
	if a.conns, err = setupConnectors(a, &c.ConnectorFlags, deps); err != nil {
		return err
	}
	if err := c.HealthFlags.start(ctx, log, a.store.Ping); err != nil {
		return err
	}
	log.Info("omnify worker started", "data_dir", a.dir, "workers", c.Workers, "amqp", c.AMQPURL != "")
	waitScheduler := a.conns.runScheduler(ctx)
	a.jobs.Run(ctx)
	waitScheduler()
	log.Info("omnify worker stopped")
	return nil
}
