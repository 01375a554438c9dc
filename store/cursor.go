package store

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/omnify-cloud/omnify"
)

// Cursor is the last sort key of a page, shared by every backend's keyset
// pagination. It travels as base64 JSON so clients treat it as opaque.
type Cursor struct {
	T int64  `json:"t,omitempty"` // a time in unix microseconds
	N int64  `json:"n,omitempty"` // a number, e.g. a version
	S string `json:"s,omitempty"` // an ID
}

// Encode returns the cursor as a Page.After value.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c) // plain fields always marshal
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses p.After; ok is false when listing starts at the
// beginning. A malformed cursor is a field error on "after".
func DecodeCursor(p Page) (c Cursor, ok bool, err error) {
	if p.After == "" {
		return c, false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.After)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		return c, false, omnify.Invalid("after", "malformed page cursor")
	}
	return c, true, nil
}

// DefaultMaxAttempts is a job's attempt budget when it names none.
const DefaultMaxAttempts = 5

// QueuedJob returns j as a backend stores a newly enqueued job: queued,
// unclaimed, with an ID, attempt budget and times filled in.
func QueuedJob(j omnify.Job, now time.Time, newID func() string) omnify.Job {
	if j.ID == "" {
		j.ID = newID()
	}
	j.Status, j.Attempts, j.LockedBy, j.LockedUntil = omnify.JobQueued, 0, "", time.Time{}
	if j.MaxAttempts <= 0 {
		j.MaxAttempts = DefaultMaxAttempts
	}
	if j.CreatedAt.IsZero() {
		j.CreatedAt = now
	}
	if j.RunAt.IsZero() {
		j.RunAt = j.CreatedAt
	}
	if j.UpdatedAt.IsZero() {
		j.UpdatedAt = j.CreatedAt
	}
	return j
}
