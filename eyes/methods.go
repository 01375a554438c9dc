package eyes

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/cluster"
)

// sampleIndices returns a sorted seeded sample of k of 0..n-1, or all of
// them when k ≥ n.
func sampleIndices(n, k int, seed int64) []int {
	if k <= 0 || k >= n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	idx := rng.Perm(n)[:k]
	slices.Sort(idx)
	return idx
}

// selectionScore is the silhouette used to compare candidate settings on the
// selection sample; it is never the figure reported for a method.
func (cr *clusterRun) selectionScore(X *ml.Matrix, labels []int) float64 {
	s, err := cluster.Silhouette(X, labels, cluster.SilhouetteConfig{ExactLimit: cr.cfg.SelectionSilhouette,
		SampleSize: cr.cfg.SelectionSilhouette, Seed: cr.cfg.Seed, Workers: cr.cfg.Workers})
	if err != nil {
		return -1
	}
	return s.Score
}

// sizesOK reports whether every cluster of labels holds at least the
// configured share of points.
func (cr *clusterRun) sizesOK(labels []int) bool {
	sizes, noise := labelSizes(labels)
	n := float64(len(labels))
	if float64(noise) > cr.cfg.MaxNoiseShare*n || len(sizes) < 2 {
		return false
	}
	for _, s := range sizes {
		if float64(s) < cr.cfg.MinClusterShare*n {
			return false
		}
	}
	return true
}

// better ranks candidates: meeting the size rules first, then silhouette.
func better(ok bool, s float64, bestOK bool, bestS float64) bool {
	if ok != bestOK {
		return ok
	}
	return s > bestS
}

func (cr *clusterRun) kmeans() MethodResult {
	res := MethodResult{Method: MethodKMeans}
	Xs := cr.X.SelectRows(cr.sample)
	var best *cluster.KMeansResult
	bestOK, bestS := false, -2.0
	for k := cr.cfg.KMin; k <= cr.cfg.KMax && k < Xs.Rows; k++ {
		km, err := cluster.KMeans(Xs, cluster.KMeansConfig{K: k, NInit: 3, Seed: cr.cfg.Seed, Workers: cr.cfg.Workers})
		if err != nil {
			continue
		}
		ok, s := cr.sizesOK(km.Labels), cr.selectionScore(Xs, km.Labels)
		if best == nil || better(ok, s, bestOK, bestS) {
			best, bestOK, bestS = km, ok, s
		}
	}
	if best == nil {
		res.Reason = "k-means could not run on this data"
		return res
	}
	res.Procedure = fmt.Sprintf("k chosen in %d..%d by silhouette on a seeded sample of %d customers", cr.cfg.KMin, cr.cfg.KMax, Xs.Rows)
	labels := best.Labels
	if Xs.Rows < cr.X.Rows {
		full, err := cluster.KMeans(cr.X, cluster.KMeansConfig{K: best.Centers.Rows, Init: best.Centers, MaxIter: 100,
			Seed: cr.cfg.Seed, Workers: cr.cfg.Workers})
		if err != nil {
			res.Reason = "k-means on all customers: " + err.Error()
			return res
		}
		labels = full.Labels
		res.Procedure += ", then refined on all customers from the sample's centres"
	}
	res.Params = map[string]float64{"k": float64(best.Centers.Rows)}
	cr.score(&res, labels)
	return res
}

// dbscanFactors scale the k-distance knee estimate of eps; the best setting
// under the size rules wins.
var dbscanFactors = []float64{0.5, 0.75, 1, 1.5, 2}

func (cr *clusterRun) dbscan() MethodResult {
	res := MethodResult{Method: MethodDBSCAN}
	idx := cr.sample
	if len(idx) > cr.cfg.DBSCANSample {
		idx = sampleIndices(cr.X.Rows, cr.cfg.DBSCANSample, cr.cfg.Seed+1)
	}
	Xs := cr.X.SelectRows(idx)
	minSamples := max(5, 2*cr.X.Cols)
	eps0, err := cluster.EstimateEps(Xs, minSamples, cr.cfg.Seed, 5000)
	if err != nil || !(eps0 > 0) {
		res.Reason = fmt.Sprintf("could not estimate a radius: %v", err)
		return res
	}
	var best *cluster.DBSCANResult
	bestOK, bestS := false, -2.0
	for _, f := range dbscanFactors {
		db, err := cluster.DBSCAN(Xs, cluster.DBSCANConfig{Eps: eps0 * f, MinSamples: minSamples, Workers: cr.cfg.Workers})
		if err != nil || db.NClusters < 1 || db.NClusters+boolInt(db.NNoise > 0) < 2 {
			continue
		}
		ok, s := cr.sizesOK(db.Labels), cr.selectionScore(Xs, db.Labels)
		if best == nil || better(ok, s, bestOK, bestS) {
			best, bestOK, bestS = db, ok, s
		}
	}
	if best == nil {
		res.Reason = "every radius tried gave a single cluster"
		return res
	}
	res.Params = map[string]float64{"eps": best.Eps, "min_samples": float64(minSamples)}
	res.Procedure = fmt.Sprintf("eps from the k-distance knee (%.4g) times %v, min_samples %d, run on %d customers; the silhouette counts noise as one more group, so no point is left out",
		eps0, dbscanFactors, minSamples, Xs.Rows)
	labels := best.Labels
	if Xs.Rows < cr.X.Rows {
		labels = assignToCores(cr.X, Xs, idx, best.Labels, best.Eps, minSamples, cr.cfg.Workers)
		res.Procedure += "; the rest joined the cluster of their nearest sampled core point if within eps, or noise"
	}
	cr.score(&res, labels)
	return res
}

func (cr *clusterRun) agglomerative() MethodResult {
	res := MethodResult{Method: MethodAgglomerative}
	idx := cr.sample
	if len(idx) > cr.cfg.WardSample {
		idx = sampleIndices(cr.X.Rows, cr.cfg.WardSample, cr.cfg.Seed+2)
	}
	Xs := cr.X.SelectRows(idx)
	bestK, bestOK, bestS := 0, false, -2.0
	for k := cr.cfg.KMin; k <= cr.cfg.KMax && k < Xs.Rows; k++ {
		w, err := cluster.Ward(Xs, cluster.WardConfig{K: k, Seed: cr.cfg.Seed, Workers: cr.cfg.Workers})
		if err != nil {
			continue
		}
		ok, s := cr.sizesOK(w.Labels), cr.selectionScore(Xs, w.Labels)
		if bestK == 0 || better(ok, s, bestOK, bestS) {
			bestK, bestOK, bestS = k, ok, s
		}
	}
	if bestK == 0 {
		res.Reason = "Ward linkage could not run on this data"
		return res
	}
	w, err := cluster.Ward(cr.X, cluster.WardConfig{K: bestK, ExactLimit: cr.cfg.WardSample, Seed: cr.cfg.Seed, Workers: cr.cfg.Workers})
	if err != nil {
		res.Reason = "Ward linkage on all customers: " + err.Error()
		return res
	}
	res.Params = map[string]float64{"k": float64(bestK)}
	res.Procedure = fmt.Sprintf("Ward linkage; k chosen in %d..%d by silhouette on a seeded sample of %d customers; final fit: %s",
		cr.cfg.KMin, cr.cfg.KMax, Xs.Rows, w.Method)
	cr.score(&res, w.Labels)
	return res
}
