package omnify

import (
	"encoding/json"
	"time"
)

// EyesRun is one run of the EYES pipeline over an org's customers. Once it
// has finished it is immutable; each run gets the next Version for its org.
type EyesRun struct {
	ID         string
	OrgID      string
	Version    int
	JobID      string
	Status     JobStatus // queued, running, succeeded, failed
	AsOf       time.Time
	Report     json.RawMessage // the pipeline's report, without per-customer rows
	Error      string
	CreatedBy  string
	CreatedAt  time.Time
	FinishedAt *time.Time
}

// EyesScore is one customer's outcome in one EYES run.
type EyesScore struct {
	RunID       string
	OrgID       string
	CustomerID  string
	SegmentID   string
	SegmentName string
	Cluster     int
	RFMSegment  string
	Churn30     float64
	Churn60     float64
	Churn90     float64
	PAlive      float64
	ExpectedCLV float64
	Reasons     []string
	X, Y        float64 // 2-D projection for the dashboard scatter
	Consent     Consent
}
