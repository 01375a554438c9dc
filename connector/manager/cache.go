package manager

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"sync"
	"time"

	"github.com/omnify-cloud/omnify/connector"
)

// checkCache keeps the latest Check result per connection, keyed also by a
// hash of what was checked so new credentials are never answered from an
// old result. It holds at most size entries.
type checkCache struct {
	size int

	mu sync.Mutex
	m  map[string]cached
}

type cached struct {
	key     string
	err     error
	expires time.Time
}

func newCheckCache(size int) *checkCache {
	return &checkCache{size: size, m: map[string]cached{}}
}

func (c *checkCache) get(connID, key string, now time.Time) (error, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[connID]
	if !ok || e.key != key || !now.Before(e.expires) {
		return nil, false
	}
	return e.err, true
}

func (c *checkCache) put(connID, key string, err error, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[connID]; !ok && len(c.m) >= c.size {
		c.evict()
	}
	c.m[connID] = cached{key: key, err: err, expires: expires}
}

// evict drops the entry closest to expiry; the caller holds c.mu.
func (c *checkCache) evict() {
	var victim string
	var soonest time.Time
	for id, e := range c.m {
		if victim == "" || e.expires.Before(soonest) {
			victim, soonest = id, e.expires
		}
	}
	delete(c.m, victim)
}

func (c *checkCache) drop(connID string) {
	c.mu.Lock()
	delete(c.m, connID)
	c.mu.Unlock()
}

// credHash digests everything a Check depends on.
func credHash(c connector.Connection) string {
	h := sha256.New()
	write := func(prefix string, m map[string]string) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			h.Write([]byte(prefix + "\x00" + k + "\x00" + m[k] + "\x00"))
		}
	}
	write("cred", c.Credentials)
	write("conf", c.Config)
	h.Write([]byte("base\x00" + c.BaseURL))
	return hex.EncodeToString(h.Sum(nil))
}
