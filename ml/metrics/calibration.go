package metrics

import (
	"errors"
	"fmt"
	"sort"
)

// CalibrationBin summarises the predictions falling in [Lo, Hi): how many,
// their mean, and the share that turned out positive. A well calibrated model
// has MeanPredicted ≈ FractionPositive in every populated bin.
type CalibrationBin struct {
	Lo, Hi           float64
	Count            int
	MeanPredicted    float64 // 0 when Count == 0
	FractionPositive float64 // 0 when Count == 0
}

// Calibration groups predictions into bins of equal width over [0, 1] for a
// reliability diagram. Every bin is returned, empty ones with Count 0, so the
// dashboard can draw a fixed axis. A prediction equal to an inner edge falls
// in the lower bin, matching scikit-learn's calibration_curve.
func Calibration(y []bool, p []float64, bins int) ([]CalibrationBin, error) {
	if bins < 1 {
		return nil, errors.New("calibration: bins must be at least 1")
	}
	if err := checkProbs(y, p); err != nil {
		return nil, fmt.Errorf("calibration: %w", err)
	}
	edges := make([]float64, bins+1)
	for i := range edges {
		edges[i] = float64(i) * (1 / float64(bins))
	}
	edges[bins] = 1
	out := make([]CalibrationBin, bins)
	sumP := make([]float64, bins)
	sumY := make([]float64, bins)
	inner := edges[1:bins]
	for i, v := range p {
		b := sort.SearchFloat64s(inner, v)
		out[b].Count++
		sumP[b] += v
		sumY[b] += b2f(y[i])
	}
	for b := range out {
		out[b].Lo, out[b].Hi = edges[b], edges[b+1]
		if n := float64(out[b].Count); n > 0 {
			out[b].MeanPredicted = sumP[b] / n
			out[b].FractionPositive = sumY[b] / n
		}
	}
	return out, nil
}
