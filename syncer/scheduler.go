package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/omnify-cloud/omnify"
)

// Scheduler enqueues the scheduled syncs of every org's connections when
// they fall due. Each connection's schedule is cut into slots of its
// ScheduleEvery, and a slot's sync carries an idempotency key naming the
// connection and slot, so several schedulers (one per replica) enqueue it
// once.
type Scheduler struct {
	Syncer *Syncer
	// Interval is how often due connections are looked for; default 1
	// minute.
	Interval time.Duration
	// Logger defaults to the syncer's.
	Logger *slog.Logger
}

// Run ticks until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(positive(s.Interval, time.Minute))
	defer t.Stop()
	for {
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("schedule syncs", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Scheduler) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return s.Syncer.cfg.Logger
}

// Tick enqueues the syncs due now and returns how many it started.
func (s *Scheduler) Tick(ctx context.Context) (int, error) {
	now := s.Syncer.now()
	due, err := s.Syncer.cfg.Store.ListConnectionsDue(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("list due connections: %w", err)
	}
	started := 0
	for _, c := range due {
		_, err := s.Syncer.start(ctx, c.OrgID, c.ID, omnify.SyncIncremental, nil, TriggerSchedule, slotKey(&c, now))
		switch {
		case err == nil:
			started++
		case errors.Is(err, ErrBusy), errors.Is(err, omnify.ErrNotFound):
		default:
			s.logger().Warn("schedule sync", "connection_id", c.ID, "org_id", c.OrgID, "err", err)
		}
	}
	return started, nil
}

// slotKey names the connection's schedule slot containing now.
func slotKey(c *omnify.Connection, now time.Time) string {
	slot := now.UnixNano() / int64(c.ScheduleEvery)
	return fmt.Sprintf("sync.schedule:%s:%d", c.ID, slot)
}
