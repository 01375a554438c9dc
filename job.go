package omnify

import (
	"encoding/json"
	"time"
)

// JobStatus is where a background job is in its life.
type JobStatus string

// Job states.
const (
	JobQueued    JobStatus = "queued"
	JobRunning   JobStatus = "running"
	JobSucceeded JobStatus = "succeeded"
	JobFailed    JobStatus = "failed" // failed this attempt, will be retried at RunAt
	JobDead      JobStatus = "dead"   // out of attempts; an admin may retry it
)

// Job is a unit of background work (a sync, an EYES run, a workflow step).
type Job struct {
	ID             string
	OrgID          string
	Kind           string // e.g. "eyes.run"
	Payload        json.RawMessage
	Status         JobStatus
	Attempts       int
	MaxAttempts    int
	RunAt          time.Time // not before
	LockedBy       string
	LockedUntil    time.Time
	IdempotencyKey string // unique per org when set
	Progress       json.RawMessage
	Result         json.RawMessage
	Error          string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}
