package cache

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultMaxBytes bounds a Memory cache when its options leave it unset.
const DefaultMaxBytes = 64 << 20

// MemoryOptions configures a Memory cache.
type MemoryOptions struct {
	// MaxBytes bounds the sum of key and value lengths; the least recently
	// used entries are evicted to stay under it. Default DefaultMaxBytes.
	MaxBytes int64
	// Now defaults to time.Now.
	Now func() time.Time
}

// Memory is an in-process LRU cache bounded in bytes. Expired entries are
// dropped when read or when eviction reaches them.
type Memory struct {
	max int64
	now func() time.Time

	mu    sync.Mutex
	size  int64
	order *list.List // front is most recently used
	items map[string]*list.Element
}

type entry struct {
	key     string
	val     []byte
	expires time.Time
}

func (e *entry) size() int64 { return int64(len(e.key) + len(e.val)) }

var _ Cache = (*Memory)(nil)

// NewMemory returns an empty in-process cache.
func NewMemory(opts MemoryOptions) *Memory {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Memory{max: opts.MaxBytes, now: opts.Now, order: list.New(), items: make(map[string]*list.Element)}
}

// Get implements Cache.
func (m *Memory) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("cache get %q: %w", key, err)
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.items[key]
	if !ok {
		return nil, false, nil
	}
	e := el.Value.(*entry)
	if !now.Before(e.expires) {
		m.remove(el)
		return nil, false, nil
	}
	m.order.MoveToFront(el)
	return append([]byte(nil), e.val...), true, nil
}

// Set implements Cache. A value larger than the whole cache is not stored.
func (m *Memory) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache set %q: %w", key, err)
	}
	if ttl <= 0 {
		return fmt.Errorf("cache set %q: %w", key, ErrBadTTL)
	}
	e := &entry{key: key, val: append([]byte(nil), val...), expires: m.now().Add(ttl)}
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.remove(el)
	}
	if e.size() > m.max {
		return nil
	}
	m.items[key] = m.order.PushFront(e)
	m.size += e.size()
	for m.size > m.max {
		m.remove(m.order.Back())
	}
	return nil
}

// Delete implements Cache.
func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("cache delete %q: %w", key, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.items[key]; ok {
		m.remove(el)
	}
	return nil
}

// Len reports how many entries are held, expired ones included.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// Bytes reports the sum of key and value lengths held.
func (m *Memory) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.size
}

// remove drops one entry. Callers hold mu.
func (m *Memory) remove(el *list.Element) {
	e := m.order.Remove(el).(*entry)
	delete(m.items, e.key)
	m.size -= e.size()
}
