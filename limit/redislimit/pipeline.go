package redislimit

import (
	"context"
	"errors"
	"sync"

	"github.com/redis/go-redis/v9"
)

var errClosed = errors.New("redis limiter closed")

// maxBatch bounds one pipeline, so one slow batch delays few callers.
const maxBatch = 256

// pipeliner sends decisions that arrive while others are in flight to
// Redis together, one pipeline per round trip. Under load an API replica
// then pays one round trip and one pair of syscalls per batch instead of
// per request, which matters most on small, busy machines; when calls
// arrive one at a time each batch holds one call and nothing is delayed.
type pipeliner struct {
	client redis.UniversalClient
	calls  chan *scriptCall
	stop   chan struct{}
	// done closes once the workers have exited: queued calls will never run.
	done chan struct{}
	wg   sync.WaitGroup
}

type scriptCall struct {
	key  string
	args []any
	res  []any
	err  error
	done chan struct{}
}

func newPipeliner(client redis.UniversalClient, workers int) *pipeliner {
	p := &pipeliner{client: client, calls: make(chan *scriptCall, maxBatch),
		stop: make(chan struct{}), done: make(chan struct{})}
	for range workers {
		p.wg.Go(p.loop)
	}
	return p
}

// run queues one script call and waits for its result or ctx.
func (p *pipeliner) run(ctx context.Context, key string, args []any) ([]any, error) {
	c := &scriptCall{key: key, args: args, done: make(chan struct{})}
	select {
	case p.calls <- c:
	case <-p.stop:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-p.done:
		select {
		case <-c.done: // finished by the last batch
			return c.res, c.err
		default:
			return nil, errClosed
		}
	}
}

func (p *pipeliner) loop() {
	batch := make([]*scriptCall, 0, maxBatch)
	for {
		select {
		case c := <-p.calls:
			batch = append(batch[:0], c)
		case <-p.stop:
			return
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case c := <-p.calls:
				batch = append(batch, c)
			default:
				break drain
			}
		}
		p.exec(batch)
	}
}

// exec runs one batch. Callers may have given up (their context ended);
// the batch still runs under the client's own timeouts, since a decision
// already sent may have spent budget either way.
func (p *pipeliner) exec(batch []*scriptCall) {
	ctx := context.Background()
	pipe := p.client.Pipeline()
	cmds := make([]*redis.Cmd, len(batch))
	for i, c := range batch {
		cmds[i] = gcraScript.EvalSha(ctx, pipe, []string{c.key}, c.args...)
	}
	_, _ = pipe.Exec(ctx) // each command carries its own error
	for i, c := range batch {
		c.res, c.err = cmds[i].Slice()
		if c.err != nil && redis.HasErrorPrefix(c.err, "NOSCRIPT") {
			// A restarted or failed-over server: Run loads the script again.
			c.res, c.err = gcraScript.Run(ctx, p.client, []string{c.key}, c.args...).Slice()
		}
		close(c.done)
	}
}

// close stops the workers once their current batch is done.
func (p *pipeliner) close() {
	close(p.stop)
	p.wg.Wait()
	close(p.done)
}
