package push

import (
	"context"
	"errors"
	"fmt"

	"github.com/omnify-cloud/omnify/connector"
	"github.com/omnify-cloud/omnify/store"
)

// batch is one PushRequest's members.
type batch struct {
	add, remove []connector.Member
}

// batches splits the plan into batches of at most size members: removals
// first, so people who withdrew consent leave the audience as early as
// possible.
func batches(p *plan, size int) []batch {
	var out []batch
	var cur batch
	flush := func() {
		if len(cur.add)+len(cur.remove) > 0 {
			out = append(out, cur)
			cur = batch{}
		}
	}
	for _, m := range p.remove {
		cur.remove = append(cur.remove, m)
		if len(cur.remove) == size {
			flush()
		}
	}
	for _, m := range p.add {
		cur.add = append(cur.add, m)
		if len(cur.add)+len(cur.remove) == size {
			flush()
		}
	}
	flush()
	return out
}

// push sends the batches in order, recording each accepted one before the
// next goes out.
func (t *task) push(ctx context.Context, p *plan) error {
	bs := batches(p, t.e.cfg.BatchSize)
	t.prog = Progress{Phase: "pushing", ToAdd: len(p.add), ToRemove: len(p.remove), Batches: len(bs),
		Added: t.res.Added, Removed: t.res.Removed, SkippedNoConsent: p.skipped}
	t.report(t.prog)
	for _, b := range bs {
		if err := ctx.Err(); err != nil {
			return err // stopping: the next attempt resumes here
		}
		if err := t.pushBatch(ctx, b); err != nil {
			return err
		}
		t.prog.BatchesDone++
		t.prog.Added, t.prog.Removed, t.prog.FailedCount = t.res.Added, t.res.Removed, t.res.FailedCount
		t.report(t.prog)
	}
	return nil
}

// pushBatch sends one batch and records what the platform accepted. The
// record is written even when ctx ends just after the platform answered:
// what is on the platform must be in the store.
func (t *task) pushBatch(ctx context.Context, b batch) error {
	req := connector.PushRequest{Action: t.action, Destination: t.p.Destination, Add: b.add, Remove: b.remove}
	res, err := t.send(ctx, req)
	if err != nil {
		return fmt.Errorf("push to %s %q: %w", t.platform, t.p.Destination, err)
	}
	failed := map[string]bool{}
	for _, f := range res.Failed {
		failed[f.CustomerID] = true
		t.fail(f)
	}
	ch := store.AudienceChange{ConnectionID: t.cc.ID, Destination: t.p.Destination, DestinationID: res.DestinationID,
		Added: accepted(b.add, failed), Removed: accepted(b.remove, failed), At: t.e.cfg.Now().UTC()}
	if err := t.e.cfg.Store.RecordAudienceChange(context.WithoutCancel(ctx), t.org, ch); err != nil {
		return fmt.Errorf("record pushed batch: %w", err)
	}
	if res.DestinationID != "" {
		t.res.DestinationID = res.DestinationID
	}
	t.res.Added += len(ch.Added)
	t.res.Removed += len(ch.Removed)
	return nil
}

// send calls the platform, waiting out its back-off requests.
func (t *task) send(ctx context.Context, req connector.PushRequest) (connector.PushResult, error) {
	for n := 1; ; n++ {
		res, err := t.pusher.Push(ctx, t.cc, req)
		var bo *connector.BackOffError
		if err == nil || ctx.Err() != nil || !errors.As(err, &bo) {
			return res, err
		}
		if n > t.e.cfg.MaxBackOffs || bo.Wait > t.e.cfg.MaxWait {
			return res, fmt.Errorf("gave up after %d back-offs: %w", n, err)
		}
		t.e.cfg.Logger.Info("push backing off", "org_id", t.org, "connection_id", t.cc.ID, "wait", bo.Wait)
		if err := t.e.cfg.Sleep(ctx, bo.Wait); err != nil {
			return res, err
		}
	}
}

func (t *task) fail(f connector.PushFailure) {
	t.res.FailedCount++
	if len(t.res.Failed) < t.e.cfg.MaxFailures {
		t.res.Failed = append(t.res.Failed, Failure{CustomerID: f.CustomerID, Reason: f.Reason})
	}
}

// accepted returns the IDs of the members the platform did not refuse.
func accepted(ms []connector.Member, failed map[string]bool) []string {
	var out []string
	for _, m := range ms {
		if !failed[m.CustomerID] {
			out = append(out, m.CustomerID)
		}
	}
	return out
}

// forget drops members who no longer exist from the audience's record.
func (t *task) forget(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	ch := store.AudienceChange{ConnectionID: t.cc.ID, Destination: t.p.Destination, Removed: ids, At: t.e.cfg.Now().UTC()}
	if err := t.e.cfg.Store.RecordAudienceChange(ctx, t.org, ch); err != nil {
		return fmt.Errorf("forget members that no longer exist: %w", err)
	}
	t.res.Forgotten = len(ids)
	return nil
}
