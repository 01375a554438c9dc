package eyes

import (
	"bytes"
	"fmt"

	omnify "github.com/omnify-cloud/omnify"
)

// ReportJSON is the result without per-customer rows, as stored with a run
// (omnify.EyesRun.Report) and written to report.json.
func (r *Result) ReportJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := r.WriteReport(&b); err != nil {
		return nil, fmt.Errorf("encode eyes report: %w", err)
	}
	return b.Bytes(), nil
}

// Scores converts the per-customer outputs into the domain's stored rows for
// one run of one org. A horizon that was not scored leaves its churn at 0;
// the run's report says why.
func (r *Result) Scores(runID, orgID string) []omnify.EyesScore {
	out := make([]omnify.EyesScore, len(r.Customers))
	for k := range r.Customers {
		c := &r.Customers[k]
		out[k] = omnify.EyesScore{RunID: runID, OrgID: orgID, CustomerID: c.ID, SegmentID: c.SegmentID,
			SegmentName: c.Segment, Cluster: c.Cluster, RFMSegment: c.RFM.Segment, Churn30: c.Churn[30],
			Churn60: c.Churn[60], Churn90: c.Churn[90], PAlive: c.PAlive, ExpectedCLV: c.ExpectedCLV,
			Reasons: c.Reasons, X: c.X, Y: c.Y, Consent: c.Consent}
	}
	return out
}
