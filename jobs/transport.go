package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify"
)

// Transport carries "job X is ready" signals from the processes that
// enqueue jobs to those that run them. It carries no job state: a message
// only names a job, which its consumer claims in the store, so a lost or
// duplicated message costs a delay or a no-op, never a wrong result.
type Transport interface {
	// Publish announces that job id is ready after delay (0: now). It
	// returns once the broker has taken the message for good.
	Publish(ctx context.Context, id string, delay time.Duration) error
	// Consume delivers announcements until ctx ends, at most prefetch of
	// them unsettled at once, reconnecting on its own. The channel is
	// closed when ctx ends.
	Consume(ctx context.Context, prefetch int) <-chan Delivery
	// Bury puts a message naming job id straight on the dead-letter
	// queue, for a job that died with no delivery in hand to dead-letter
	// (one the sweeper ran). It returns once the broker took the message.
	Bury(ctx context.Context, id string) error
}

// Delivery is one announcement. Exactly one of its funcs settles it.
type Delivery struct {
	JobID string
	// Ack drops the message: the job ran, or needs nothing more from it.
	Ack func() error
	// Dead moves the message to the dead-letter queue: the job is dead.
	Dead func() error
	// Requeue gives the message back to be delivered again.
	Requeue func() error
}

// UseTransport makes the runner announce jobs through t and, in Run, take
// them from t instead of polling the store. Call it before Enqueue or Run.
func (r *Runner) UseTransport(t Transport) { r.tr = t }

// Retry makes a dead job of the org queued again with a fresh attempt
// budget and announces it.
func (r *Runner) Retry(ctx context.Context, orgID, id string) (*omnify.Job, error) {
	if err := r.store.RetryJob(ctx, orgID, id, r.now().UTC()); err != nil {
		return nil, err
	}
	j, err := r.store.GetJob(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	r.announce(ctx, j, 0)
	return j, nil
}

// announce tells workers that j is ready after delay. A failed publish is
// only logged: the job is already stored and the sweeper will run it.
func (r *Runner) announce(ctx context.Context, j *omnify.Job, delay time.Duration) {
	if r.tr == nil {
		select {
		case r.wake <- struct{}{}:
		default:
		}
		return
	}
	if err := r.tr.Publish(context.WithoutCancel(ctx), j.ID, max(delay, 0)); err != nil {
		r.log.Warn("announce job; the sweeper will pick it up", "job_id", j.ID, "err", err)
	}
}

// runTransport runs Workers consumers of the transport and the sweeper.
func (r *Runner) runTransport(ctx context.Context) {
	ds := r.tr.Consume(ctx, r.cfg.Workers)
	var wg sync.WaitGroup
	for i := 0; i < r.cfg.Workers; i++ {
		wg.Add(1)
		go func(worker string) {
			defer wg.Done()
			for d := range ds {
				r.deliver(ctx, worker, d)
			}
		}(fmt.Sprintf("%s-%d", r.cfg.WorkerID, i))
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.sweep(ctx, r.cfg.WorkerID+"-sweep")
	}()
	wg.Wait()
}

// deliver claims the announced job, runs it and settles the message.
func (r *Runner) deliver(ctx context.Context, worker string, d Delivery) {
	log := r.log.With("job_id", d.JobID)
	now := r.now().UTC()
	j, err := r.store.ClaimJobByID(ctx, d.JobID, worker, now, r.cfg.Lease)
	switch {
	case errors.Is(err, omnify.ErrNotFound):
		settle(log, "ack", d.Ack)
	case errors.Is(err, omnify.ErrConflict) && j != nil:
		r.unclaimable(ctx, log, d, j, now)
	case err != nil:
		log.Error("claim announced job", "err", err)
		settle(log, "requeue", d.Requeue)
	default:
		r.finish(ctx, log, d, j, r.execute(ctx, j))
	}
}

// unclaimable settles the announcement of a job that cannot run now. A
// redelivered message of a job that succeeded is simply dropped. One of a
// dead job is dead-lettered: the store may have just buried the job (its
// worker died on the last attempt), or the worker that recorded the death
// could not settle its message, and either way this message is the one the
// dead-letter queue must get. One that came early, or whose job another
// worker holds, is announced again for when the job becomes due or the
// holder's lease ends, so a worker that dies holding the job does not
// strand it.
func (r *Runner) unclaimable(ctx context.Context, log *slog.Logger, d Delivery, j *omnify.Job, now time.Time) {
	var at time.Time
	switch j.Status {
	case omnify.JobQueued, omnify.JobFailed:
		at = j.RunAt
	case omnify.JobRunning:
		at = j.LockedUntil.Add(time.Second)
	case omnify.JobDead:
		settle(log, "dead-letter", d.Dead)
		return
	default:
		settle(log, "ack", d.Ack)
		return
	}
	if err := r.tr.Publish(context.WithoutCancel(ctx), j.ID, at.Sub(now)); err != nil {
		log.Warn("announce job again", "err", err)
		settle(log, "requeue", d.Requeue)
		return
	}
	settle(log, "ack", d.Ack)
}

// finish settles the message of a job this worker ran.
func (r *Runner) finish(ctx context.Context, log *slog.Logger, d Delivery, j *omnify.Job, o outcome) {
	switch o.status {
	case omnify.JobDead:
		settle(log, "dead-letter", d.Dead)
	case omnify.JobFailed:
		r.announce(ctx, j, o.retryAt.Sub(r.now().UTC()))
		settle(log, "ack", d.Ack)
	case omnify.JobSucceeded:
		settle(log, "ack", d.Ack)
	default:
		// Interrupted or unrecorded: the unsettled message comes back when
		// this consumer's channel closes, and waits out the job's lease.
	}
}

// bury dead-letters a job that died with no delivery to settle. A failed
// publish is only logged: the job's state is in the store either way.
func (r *Runner) bury(ctx context.Context, id string) {
	if err := r.tr.Bury(context.WithoutCancel(ctx), id); err != nil {
		r.log.Warn("dead-letter job", "job_id", id, "err", err)
	}
}

func settle(log *slog.Logger, what string, f func() error) {
	if err := f(); err != nil {
		log.Warn("settle job message", "action", what, "err", err)
	}
}

// sweep runs, every Sweep, the jobs that have been runnable for longer than
// Sweep: their message was lost (a crash between the store and the broker,
// a publish that failed, a broker that lost its queue). A job that dies
// here is dead-lettered with Bury. One exception stays: a job with no
// message whose worker died on its last attempt is marked dead inside the
// store's claim, which does not say which jobs it buried, so it reaches the
// dead-letter queue only if a message of it turns up; the store and the
// jobs API show it dead either way.
func (r *Runner) sweep(ctx context.Context, worker string) {
	t := time.NewTicker(r.cfg.Sweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for ctx.Err() == nil {
			then := r.now().UTC().Add(-r.cfg.Sweep)
			j, err := r.store.ClaimJob(ctx, r.kinds(), worker, then, r.cfg.Lease+r.cfg.Sweep)
			if err != nil {
				if !errors.Is(err, omnify.ErrNotFound) && ctx.Err() == nil {
					r.log.Error("sweep jobs", "err", err)
				}
				break
			}
			r.log.Info("running a job that had no message", "job_id", j.ID)
			switch o := r.execute(ctx, j); o.status {
			case omnify.JobFailed:
				r.announce(ctx, j, o.retryAt.Sub(r.now().UTC()))
			case omnify.JobDead:
				r.bury(ctx, j.ID)
			}
		}
	}
}
