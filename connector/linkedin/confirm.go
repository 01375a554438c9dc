package linkedin

import (
	"sync"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// ConfirmTTL is how long a member change LinkedIn confirmed is trusted when
// the same push is repeated.
//
// Why: LinkedIn limits DMP streaming per member per minute, and the push
// engine repeats a whole batch after a back-off. A push of more user
// batches than a minute allows would then start over and hit the limit at
// the same place forever. Remembering what LinkedIn already confirmed lets
// the repeat send only the rest. A change made elsewhere to the same member
// in the same segment within the TTL would be missed, which the next push
// (after the TTL) corrects.
const ConfirmTTL = 15 * time.Minute

// maxConfirmations bounds the memory; beyond it old entries are dropped.
const maxConfirmations = 500000

type confirmKey struct {
	segment int64
	hash    string
}

type confirmation struct {
	action string
	at     time.Time
}

// confirmations remembers recent confirmed ADD and REMOVE elements.
type confirmations struct {
	mu sync.Mutex
	m  map[confirmKey]confirmation
}

func newConfirmations() *confirmations { return &confirmations{m: map[confirmKey]confirmation{}} }

// skip drops elements LinkedIn confirmed within ConfirmTTL, counting them
// as done in res.
func (c *confirmations) skip(seg int64, work []pending, res *connector.PushResult, now time.Time) []pending {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := work[:0:0]
	for _, p := range work {
		prev, ok := c.m[confirmKey{seg, p.el.UserIDs[0].IDValue}]
		if ok && prev.action == p.el.Action && now.Sub(prev.at) < ConfirmTTL {
			if p.el.Action == "ADD" {
				res.Added++
			} else {
				res.Removed++
			}
			continue
		}
		out = append(out, p)
	}
	return out
}

// remember records the elements of a batch LinkedIn confirmed.
func (c *confirmations) remember(seg int64, batch []pending, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m)+len(batch) > maxConfirmations {
		for k, v := range c.m {
			if now.Sub(v.at) >= ConfirmTTL || len(c.m)+len(batch) > maxConfirmations {
				delete(c.m, k)
			}
		}
	}
	for _, p := range batch {
		if p.ok {
			c.m[confirmKey{seg, p.el.UserIDs[0].IDValue}] = confirmation{action: p.el.Action, at: now}
		}
	}
}
