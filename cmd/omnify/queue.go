package main

import (
	"fmt"
	"net/url"
	"time"

	"github.com/omnify-cloud/omnify/jobs"
	"github.com/omnify-cloud/omnify/jobs/amqpqueue"
)

// QueueFlags choose how job workers learn of jobs: by polling the store, or
// from RabbitMQ.
type QueueFlags struct {
	AMQPURL   string        `name:"amqp-url" env:"OMNIFY_AMQP_URL" help:"RabbitMQ announcing jobs to every worker (amqp://user:pass@host:5672/vhost); empty: workers poll the store."`
	AMQPQueue string        `name:"amqp-queue" env:"OMNIFY_AMQP_QUEUE" default:"omnify.jobs" help:"Name of the RabbitMQ work queue; the dead-letter queue is <name>.dead, retry delays <name>.delay.<ms>."`
	JobLease  time.Duration `name:"job-lease" env:"OMNIFY_JOB_LEASE" default:"10m" help:"How long a worker holds a job between heartbeats before another worker may take it over."`
	JobSweep  time.Duration `name:"job-sweep" env:"OMNIFY_JOB_SWEEP" default:"30s" help:"With RabbitMQ: how often, and after how long, jobs whose message was lost are run from the store."`
}

func (f *QueueFlags) validate() error {
	if f.JobLease < time.Second || f.JobSweep < 100*time.Millisecond {
		return fmt.Errorf("OMNIFY_JOB_LEASE must be at least 1s and OMNIFY_JOB_SWEEP at least 100ms")
	}
	if f.AMQPURL == "" {
		return nil
	}
	u, err := url.Parse(f.AMQPURL)
	if err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") || u.Host == "" {
		return fmt.Errorf("OMNIFY_AMQP_URL (--amqp-url) must be amqp://user:pass@host:port/vhost")
	}
	if f.AMQPQueue == "" {
		return fmt.Errorf("OMNIFY_AMQP_QUEUE (--amqp-queue) must not be empty")
	}
	return nil
}

func (f *QueueFlags) jobsConfig(workers int) jobs.Config {
	return jobs.Config{Workers: workers, Lease: f.JobLease, Sweep: f.JobSweep}
}

// attach connects the app's job runner to RabbitMQ when a URL is set.
func (f *QueueFlags) attach(a *app) error {
	if f.AMQPURL == "" {
		return nil
	}
	q, err := amqpqueue.Dial(f.AMQPURL, amqpqueue.Options{Prefix: f.AMQPQueue, Logger: a.log})
	if err != nil {
		return fmt.Errorf("OMNIFY_AMQP_URL: %w", err)
	}
	a.jobs.UseTransport(q)
	a.closers = append(a.closers, q.Close)
	return nil
}
