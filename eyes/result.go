package eyes

import (
	"time"

	omnify "github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/ml"
)

// SchemaVersion identifies the shape of Result; it changes when a field's
// meaning does.
const SchemaVersion = 1

// Status of a run.
const (
	StatusOK            = "ok"
	StatusNotEnoughData = "not_enough_data"
)

// Result is one run of the pipeline: immutable once returned and
// JSON-serialisable, so the API layer can store it as a versioned record.
type Result struct {
	SchemaVersion int       `json:"schema_version"`
	Status        string    `json:"status"`
	AsOf          time.Time `json:"as_of"`
	Seed          int64     `json:"seed"`
	Horizons      []int     `json:"horizons"`
	// Config is every setting the run used, defaults filled in.
	Config Config `json:"config"`
	// Messages explain, in plain words, anything the run could not do.
	Messages    []string           `json:"messages,omitempty"`
	Data        DataSummary        `json:"data"`
	Consent     ConsentCounts      `json:"consent"`
	Load        *LoadReport        `json:"load,omitempty"`
	Features    []string           `json:"features"`
	Clustering  ClusteringReport   `json:"clustering"`
	Segments    []Segment          `json:"segments"`
	RFMSegments []RFMSegmentReport `json:"rfm_segments"`
	Churn       []ModelCard        `json:"churn"`
	Insights    Insights           `json:"insights"`
	Gates       []Gate             `json:"gates"`
	Timings     []Timing           `json:"timings"`
	Customers   []CustomerResult   `json:"customers,omitempty"`

	// clusterX is the exact matrix the chosen clustering ran on, row k
	// belonging to Customers[k]; it is written to features.csv.
	clusterX *ml.Matrix
}

// DataSummary describes the data a run saw.
type DataSummary struct {
	Customers       int       `json:"customers"`        // customers in the input
	ActiveCustomers int       `json:"active_customers"` // with at least one order on or before as-of
	Transactions    int       `json:"transactions"`     // customer-days with a purchase
	FirstOrder      time.Time `json:"first_order,omitzero"`
	LastOrder       time.Time `json:"last_order,omitzero"`
	HistoryDays     int       `json:"history_days"`
	Revenue         float64   `json:"revenue"`
}

// CustomerResult is one customer's outcome.
type CustomerResult struct {
	ID          string          `json:"id"`
	SegmentID   string          `json:"segment_id"`
	Segment     string          `json:"segment"`
	Cluster     int             `json:"cluster"` // -1 for DBSCAN noise
	RFM         RFMScore        `json:"rfm"`
	Churn       map[int]float64 `json:"churn,omitempty"` // horizon in days → probability of no purchase
	PAlive      float64         `json:"p_alive"`
	ExpectedCLV float64         `json:"expected_clv"`
	// Reasons name the features pushing this customer's churn risk up the
	// most, for the longest scored horizon.
	Reasons    []string       `json:"reasons,omitempty"`
	X          float64        `json:"x"` // 2-D PCA projection for the dashboard scatter
	Y          float64        `json:"y"`
	Consent    omnify.Consent `json:"consent"`
	Exportable bool           `json:"exportable"`
	Platforms  []string       `json:"platforms,omitempty"`
}

// ChurnAt returns the customer's churn probability at horizon h, if scored.
func (c *CustomerResult) ChurnAt(h int) (float64, bool) {
	v, ok := c.Churn[h]
	return v, ok
}

// Segment is one cluster described so a marketer can use it.
type Segment struct {
	ID            string         `json:"id"`
	Cluster       int            `json:"cluster"`
	Name          string         `json:"name"`
	Size          int            `json:"size"`
	Share         float64        `json:"share"`
	RevenueShare  float64        `json:"revenue_share"`
	Profile       SegmentProfile `json:"profile"`
	ChurnMix      []ChurnMix     `json:"churn_mix,omitempty"`
	Action        string         `json:"action"`
	Platforms     map[string]int `json:"platforms"`
	CrossPlatform int            `json:"cross_platform"` // customers matched on two or more platforms
	Exportable    int            `json:"exportable"`     // customers with consent granted
	RFMMix        map[string]int `json:"rfm_mix"`
}

// SegmentProfile holds the medians that give a segment its name.
type SegmentProfile struct {
	RecencyDays float64 `json:"recency_days"`
	Frequency   float64 `json:"frequency"`
	MonetaryAvg float64 `json:"monetary_avg"`
	MonetaryTot float64 `json:"monetary_total"`
	TenureDays  float64 `json:"tenure_days"`
	PAlive      float64 `json:"p_alive"`
}

// ChurnMix summarises a segment's churn risk at one horizon.
type ChurnMix struct {
	HorizonDays int     `json:"horizon_days"`
	Mean        float64 `json:"mean"`
	High        float64 `json:"high"`   // share with probability ≥ 0.7
	Medium      float64 `json:"medium"` // 0.4 ≤ p < 0.7
	Low         float64 `json:"low"`
}

// RFMSegmentReport is one named RFM segment's size and revenue.
type RFMSegmentReport struct {
	Name         string  `json:"name"`
	Size         int     `json:"size"`
	Share        float64 `json:"share"`
	RevenueShare float64 `json:"revenue_share"`
}

// Gate is one quality bar the run passed or failed.
type Gate struct {
	Name      string  `json:"name"`
	Threshold float64 `json:"threshold"`
	Value     float64 `json:"value"`
	Passed    bool    `json:"passed"`
	Note      string  `json:"note,omitempty"`
}

// Timing is the wall time of one pipeline step.
type Timing struct {
	Step    string  `json:"step"`
	Seconds float64 `json:"seconds"`
}

// ClusterMatrix returns the exact feature matrix the chosen clustering ran
// on (row k is Customers[k]) and its column names; nil when no clustering ran.
func (r *Result) ClusterMatrix() (*ml.Matrix, []string) {
	return r.clusterX, r.Clustering.Features
}

// ExportableCustomers returns the customers of one segment (every segment
// when segmentID is empty) that may be exported or pushed to a marketing
// platform: those with consent granted, and no one else.
func (r *Result) ExportableCustomers(segmentID string) []CustomerResult {
	var out []CustomerResult
	for _, c := range r.Customers {
		if c.Exportable && Exportable(c.Consent) && (segmentID == "" || c.SegmentID == segmentID) {
			out = append(out, c)
		}
	}
	return out
}
