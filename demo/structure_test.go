package demo_test

import (
	"math"
	"testing"
	"time"

	"github.com/omnify-cloud/omnify/demo"
)

// customerFeatures are the behavioural features a segmentation would use:
// log order count, log mean order value, holiday share of orders, days
// from the last order to the end, and regularity of the gaps.
func customerFeatures(ds *demo.Dataset) map[string][]float64 {
	out := map[string][]float64{}
	for start := 0; start < len(ds.Orders); {
		end := start
		for end < len(ds.Orders) && ds.Orders[end].CustomerID == ds.Orders[start].CustomerID {
			end++
		}
		out[ds.Orders[start].CustomerID] = features(ds.Orders[start:end], ds.Config.End)
		start = end
	}
	return out
}

func features(orders []demo.Order, end time.Time) []float64 {
	var sum, holiday float64
	var gaps []float64
	for i, o := range orders {
		sum += float64(o.AmountMinor) / 100
		if m := o.PlacedAt.Month(); m == time.November || m == time.December {
			holiday++
		}
		if i > 0 {
			gaps = append(gaps, o.PlacedAt.Sub(orders[i-1].PlacedAt).Hours()/24)
		}
	}
	n := float64(len(orders))
	recency := end.Sub(orders[len(orders)-1].PlacedAt).Hours() / 24
	return []float64{math.Log(n), math.Log(sum / n), holiday / n, math.Log1p(recency), gapVariation(gaps)}
}

// gapVariation is the coefficient of variation of the gaps, 1 when there
// are too few to tell.
func gapVariation(gaps []float64) float64 {
	if len(gaps) < 3 {
		return 1
	}
	var mean, sq float64
	for _, g := range gaps {
		mean += g / float64(len(gaps))
	}
	for _, g := range gaps {
		sq += (g - mean) * (g - mean) / float64(len(gaps))
	}
	return math.Sqrt(sq) / math.Max(mean, 1e-9)
}

// TestPersonasAreSeparable checks that behaviour reveals the latent
// personas: a nearest-centroid rule learnt on half the customers assigns
// the other half to their persona far better than guessing the largest.
func TestPersonasAreSeparable(t *testing.T) {
	t.Parallel()
	ds := bigDataset(t)
	feats := customerFeatures(ds)
	dim := 5
	mean, sd := make([]float64, dim), make([]float64, dim)
	for _, f := range feats {
		for j, v := range f {
			mean[j] += v / float64(len(feats))
		}
	}
	for _, f := range feats {
		for j, v := range f {
			sd[j] += (v - mean[j]) * (v - mean[j]) / float64(len(feats))
		}
	}
	centroids, counts := map[string][]float64{}, map[string]float64{}
	z := func(f []float64) []float64 {
		out := make([]float64, dim)
		for j := range f {
			out[j] = (f[j] - mean[j]) / math.Sqrt(sd[j])
		}
		return out
	}
	for i, c := range ds.Customers {
		if i%2 == 1 {
			continue
		}
		if centroids[c.Persona] == nil {
			centroids[c.Persona] = make([]float64, dim)
		}
		for j, v := range z(feats[c.ID]) {
			centroids[c.Persona][j] += v
		}
		counts[c.Persona]++
	}
	for p, ctr := range centroids {
		for j := range ctr {
			ctr[j] /= counts[p]
		}
	}
	correct, total, largest := 0.0, 0.0, 0.0
	for _, n := range counts {
		largest = math.Max(largest, n)
	}
	for i, c := range ds.Customers {
		if i%2 == 0 {
			continue
		}
		total++
		if nearest(centroids, z(feats[c.ID])) == c.Persona {
			correct++
		}
	}
	baseline := largest / float64(len(ds.Customers)/2)
	t.Logf("nearest-centroid accuracy %.3f, majority baseline %.3f", correct/total, baseline)
	if acc := correct / total; acc < 0.5 || acc < 1.8*baseline {
		t.Errorf("nearest-centroid accuracy %.2f, baseline %.2f: personas are not separable", acc, baseline)
	}
}

func nearest(centroids map[string][]float64, x []float64) string {
	best, bestD := "", math.Inf(1)
	for p, c := range centroids {
		d := 0.0
		for j := range c {
			d += (x[j] - c[j]) * (x[j] - c[j])
		}
		if d < bestD || (d == bestD && p < best) {
			best, bestD = p, d
		}
	}
	return best
}
