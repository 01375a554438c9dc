package eyes

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/cluster"
)

// Clustering method names.
const (
	MethodKMeans        = "kmeans"
	MethodDBSCAN        = "dbscan"
	MethodAgglomerative = "agglomerative"
)

// ClusteringReport says which methods ran, how each scored and which one the
// segments come from.
type ClusteringReport struct {
	Features   []string       `json:"features"`  // columns of the clustered matrix
	Transform  string         `json:"transform"` // how raw features became that matrix
	Methods    []MethodResult `json:"methods"`
	Chosen     string         `json:"chosen"`
	K          int            `json:"k"`
	Silhouette float64        `json:"silhouette"`
	// Band is the Kaufman–Rousseeuw reading of the silhouette: strong,
	// reasonable, weak or none.
	Band             string `json:"band"`
	WeakStructure    bool   `json:"weak_structure"`
	SilhouetteMode   string `json:"silhouette_mode"` // exact or sampled
	SilhouetteSample int    `json:"silhouette_sample_size"`
	Note             string `json:"note,omitempty"`
}

// MethodResult is one clustering method's best attempt.
type MethodResult struct {
	Method     string             `json:"method"`
	K          int                `json:"k"`
	Params     map[string]float64 `json:"params,omitempty"`
	Silhouette float64            `json:"silhouette"`
	Sampled    bool               `json:"silhouette_sampled"`
	SampleSize int                `json:"silhouette_sample_size"`
	Sizes      []int              `json:"sizes"`
	Noise      int                `json:"noise"`
	Eligible   bool               `json:"eligible"`
	Reason     string             `json:"reason,omitempty"` // why not eligible, or why it did not run
	Procedure  string             `json:"procedure"`        // what was done, e.g. sampled fit then assignment
	Seconds    float64            `json:"seconds"`

	labels []int
}

// silhouetteBand reads a silhouette with Kaufman & Rousseeuw's bands.
func silhouetteBand(s float64) string {
	switch {
	case s > 0.70:
		return "strong"
	case s > 0.50:
		return "reasonable"
	case s > 0.25:
		return "weak"
	}
	return "none"
}

// clusterTransform is applied to the profile features before clustering:
// heavy-tailed counts and money are log-compressed, then every column is
// standardised so no unit dominates the distances.
var clusterColumns = []int{fRecency, fFrequency, fMonetaryTotal}

func clusterMatrix(F *ml.Matrix) (*ml.Matrix, []string) {
	X := ml.NewMatrix(F.Rows, len(clusterColumns))
	names := make([]string, len(clusterColumns))
	for j, c := range clusterColumns {
		names[j] = "log1p_" + baseFeatureNames[c] + "_z"
	}
	for i := 0; i < F.Rows; i++ {
		for j, c := range clusterColumns {
			X.Set(i, j, math.Log1p(math.Max(F.At(i, c), 0)))
		}
	}
	standardizeInPlace(X)
	return X, names
}

// standardizeInPlace centres and scales each column by its population
// standard deviation; a constant column becomes all zeros.
func standardizeInPlace(X *ml.Matrix) {
	for j := 0; j < X.Cols; j++ {
		mean, sd := colMeanStd(X, j)
		if sd == 0 {
			sd = 1
		}
		for i := 0; i < X.Rows; i++ {
			X.Set(i, j, (X.At(i, j)-mean)/sd)
		}
	}
}

func colMeanStd(X *ml.Matrix, j int) (float64, float64) {
	n := float64(X.Rows)
	s := 0.0
	for i := 0; i < X.Rows; i++ {
		s += X.At(i, j)
	}
	mean := s / n
	ss := 0.0
	for i := 0; i < X.Rows; i++ {
		d := X.At(i, j) - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss / n)
}

func identicalRows(X *ml.Matrix) bool {
	for i := 1; i < X.Rows; i++ {
		if !slices.Equal(X.Row(i), X.Row(0)) {
			return false
		}
	}
	return true
}

type clusterRun struct {
	cfg    Config
	X      *ml.Matrix
	sample []int // seeded sample used for model selection
}

// Cluster tries K-Means, DBSCAN and Agglomerative (Ward) clustering on X,
// judges them by silhouette under the size rules of cfg and returns the
// report plus the chosen labels (-1 for DBSCAN noise). names label X's
// columns in the report. X must hold finite values.
func Cluster(X *ml.Matrix, names []string, cfg Config) (ClusteringReport, []int) {
	return runClustering(X, names, cfg.WithDefaults())
}

// runClustering tries every method, judges them by silhouette under the size
// rules and returns the report plus the chosen labels.
func runClustering(X *ml.Matrix, names []string, cfg Config) (ClusteringReport, []int) {
	rep := ClusteringReport{Features: names,
		Transform: "log1p of recency (days), frequency (purchase days) and total spend, then z-score standardisation"}
	if identicalRows(X) {
		rep.Chosen, rep.K, rep.Band, rep.SilhouetteMode = "none", 1, "none", "exact"
		rep.Note = "all customers have identical features: there is no structure to cluster, so everyone is in one segment"
		return rep, make([]int, X.Rows)
	}
	cr := &clusterRun{cfg: cfg, X: X, sample: sampleIndices(X.Rows, cfg.SelectionSample, cfg.Seed)}
	for _, m := range []func() MethodResult{cr.kmeans, cr.dbscan, cr.agglomerative} {
		start := time.Now()
		res := m()
		res.Seconds = time.Since(start).Seconds()
		rep.Methods = append(rep.Methods, res)
	}
	return cr.choose(rep)
}

func (cr *clusterRun) choose(rep ClusteringReport) (ClusteringReport, []int) {
	best := -1
	for pass := 0; pass < 2 && best < 0; pass++ {
		for i, m := range rep.Methods {
			if m.labels == nil || (pass == 0 && !m.Eligible) {
				continue
			}
			if best < 0 || m.Silhouette > rep.Methods[best].Silhouette {
				best = i
			}
		}
	}
	if best < 0 {
		rep.Chosen, rep.K, rep.Band, rep.SilhouetteMode = "none", 1, "none", "exact"
		rep.Note = "no clustering method produced a usable partition; everyone is in one segment"
		return rep, make([]int, cr.X.Rows)
	}
	cr.exactChosen(&rep, best)
	m := rep.Methods[best]
	rep.Chosen, rep.K, rep.Silhouette = m.Method, m.K, m.Silhouette
	rep.Band = silhouetteBand(m.Silhouette)
	rep.SilhouetteMode, rep.SilhouetteSample = "exact", m.SampleSize
	if m.Sampled {
		rep.SilhouetteMode = "sampled"
	}
	if !m.Eligible {
		// No eligible result, so none reached the bar: structure is weak
		// whatever this partition's silhouette.
		rep.WeakStructure = true
		rep.Note = "weak structure: no method met the size rules (every cluster ≥ 2% of customers, DBSCAN noise ≤ 10%); the best silhouette is used anyway"
	}
	if m.Silhouette < cr.cfg.MinSilhouette {
		rep.WeakStructure = true
		rep.Note = joinNote(rep.Note, fmt.Sprintf("weak structure: the silhouette %.3f is below %.2f (%s by Kaufman–Rousseeuw); segments are still returned but their boundaries are soft",
			m.Silhouette, cr.cfg.MinSilhouette, rep.Band))
	}
	return rep, m.labels
}

// exactChosen replaces the chosen method's sampled silhouette with the
// exact one when the input is small enough; the methods were compared on
// the same seeded sample, and the note says so.
func (cr *clusterRun) exactChosen(rep *ClusteringReport, best int) {
	m := &rep.Methods[best]
	if !m.Sampled || cr.X.Rows > cr.cfg.ChosenExactLimit {
		return
	}
	s, err := cluster.Silhouette(cr.X, m.labels, cluster.SilhouetteConfig{ExactLimit: cr.X.Rows, Workers: cr.cfg.Workers})
	if err != nil {
		return
	}
	rep.Note = joinNote(rep.Note, fmt.Sprintf("methods were compared on silhouettes of a seeded sample of %d customers; the chosen method's was then computed exactly over all %d (sampled estimate %.4f)",
		m.SampleSize, cr.X.Rows, m.Silhouette))
	m.Silhouette, m.Sampled, m.SampleSize = clean(s.Score), false, s.SampleSize
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// score fills a method result's silhouette, sizes and eligibility from
// labels over the full matrix.
func (cr *clusterRun) score(res *MethodResult, labels []int) {
	res.labels = labels
	sizes, noise := labelSizes(labels)
	res.Sizes, res.Noise, res.K = sizes, noise, len(sizes)
	if len(sizes)+boolInt(noise > 0) < 2 {
		res.Reason = "found a single cluster"
		res.labels = nil
		return
	}
	s, err := cluster.Silhouette(cr.X, labels, cluster.SilhouetteConfig{ExactLimit: cr.cfg.SilhouetteExactLimit,
		SampleSize: cr.cfg.SilhouetteSample, Seed: cr.cfg.Seed, Workers: cr.cfg.Workers})
	if err != nil {
		res.Reason = "silhouette: " + err.Error()
		res.labels = nil
		return
	}
	res.Silhouette, res.Sampled, res.SampleSize = clean(s.Score), s.Sampled, s.SampleSize
	res.Eligible, res.Reason = cr.eligible(sizes, noise)
}

func (cr *clusterRun) eligible(sizes []int, noise int) (bool, string) {
	n := float64(cr.X.Rows)
	if float64(noise) > cr.cfg.MaxNoiseShare*n {
		return false, fmt.Sprintf("noise %.1f%% exceeds %.0f%%", 100*float64(noise)/n, 100*cr.cfg.MaxNoiseShare)
	}
	for c, s := range sizes {
		if float64(s) < cr.cfg.MinClusterShare*n {
			return false, fmt.Sprintf("cluster %d holds %.2f%% of customers, under %.0f%%", c, 100*float64(s)/n, 100*cr.cfg.MinClusterShare)
		}
	}
	return true, ""
}

// labelSizes counts members per cluster id (ids 0..k-1) and noise (-1).
func labelSizes(labels []int) ([]int, int) {
	var sizes []int
	noise := 0
	for _, l := range labels {
		if l < 0 {
			noise++
			continue
		}
		for len(sizes) <= l {
			sizes = append(sizes, 0)
		}
		sizes[l]++
	}
	return sizes, noise
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
