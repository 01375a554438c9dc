// Command cluster benchmarks OmniFy's clustering package against the same
// points that bench_sklearn.py feeds to scikit-learn. compare.sh drives both:
//
//	go run ./bench/cluster -mode gen -dir DIR   # write shared inputs
//	go run ./bench/cluster -mode run -dir DIR   # time ml/cluster, print JSON
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/cluster"
)

// params describes the shared inputs; bench_sklearn.py reads the same file.
type params struct {
	D          int     `json:"d"`
	KMeansN    int     `json:"kmeans_n"`
	K          int     `json:"k"`
	MaxIter    int     `json:"max_iter"`
	SampleSize int     `json:"sample_size"`
	DBSCANN    int     `json:"dbscan_n"`
	Eps        float64 `json:"eps"`
	MinSamples int     `json:"min_samples"`
	WardN      int     `json:"ward_n"`
}

func main() {
	mode := flag.String("mode", "run", "gen: write inputs; run: time ml/cluster")
	dir := flag.String("dir", "", "directory shared with bench_sklearn.py")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "-dir is required")
		os.Exit(2)
	}
	var err error
	switch *mode {
	case "gen":
		err = generate(*dir)
	case "run":
		err = run(*dir)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// blobs draws n points around k Gaussian centres spread over [-10,10]^d.
func blobs(n, d, k int, spread float64, seed uint64) (*ml.Matrix, []int) {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	centres := make([]float64, k*d)
	for i := range centres {
		centres[i] = (rng.Float64()*2 - 1) * 10
	}
	X := ml.NewMatrix(n, d)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		c := rng.IntN(k)
		labels[i] = c
		for j := 0; j < d; j++ {
			X.Data[i*d+j] = centres[c*d+j] + rng.NormFloat64()*spread
		}
	}
	return X, labels
}

func generate(dir string) error {
	p := params{D: 8, KMeansN: 1_000_000, K: 8, MaxIter: 50, SampleSize: 10000,
		DBSCANN: 100_000, MinSamples: 10, WardN: 20_000}
	big, truth := blobs(p.KMeansN, p.D, p.K, 3.0, 1)
	initIdx := rand.New(rand.NewPCG(9, 9)).Perm(p.KMeansN)[:p.K]
	db, _ := blobs(p.DBSCANN, p.D, p.K, 1.5, 2)
	eps, err := cluster.EstimateEps(db, p.MinSamples, 1, 10000)
	if err != nil {
		return err
	}
	p.Eps = eps
	ward, _ := blobs(p.WardN, p.D, p.K, 1.5, 3)
	files := map[string][]float64{
		"kmeans.f64": big.Data, "init.f64": big.SelectRows(initIdx).Data,
		"dbscan.f64": db.Data, "ward.f64": ward.Data,
	}
	for name, v := range files {
		if err := writeF64(filepath.Join(dir, name), v); err != nil {
			return err
		}
	}
	if err := writeLabels(filepath.Join(dir, "truth.i64"), truth); err != nil {
		return err
	}
	raw, _ := json.Marshal(p)
	return os.WriteFile(filepath.Join(dir, "params.json"), raw, 0o644)
}

func run(dir string) error {
	var p params
	raw, err := os.ReadFile(filepath.Join(dir, "params.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	load := func(name string, rows int) *ml.Matrix {
		v, e := readF64(filepath.Join(dir, name))
		if e != nil {
			err = e
			return nil
		}
		return &ml.Matrix{Rows: rows, Cols: p.D, Data: v}
	}
	big, init := load("kmeans.f64", p.KMeansN), load("init.f64", p.K)
	db, ward := load("dbscan.f64", p.DBSCANN), load("ward.f64", p.WardN)
	truth, lerr := readLabels(filepath.Join(dir, "truth.i64"))
	if err != nil || lerr != nil {
		return fmt.Errorf("load inputs: %v %v", err, lerr)
	}
	out := map[string]any{}
	if err := timeAll(dir, p, big, init, db, ward, truth, out); err != nil {
		return err
	}
	enc, _ := json.Marshal(out)
	fmt.Println(string(enc))
	return nil
}

// repeats is how many times each measurement runs; the fastest run is
// reported, which filters out interference from other work on the machine.
const repeats = 3

// timed runs f repeatedly and returns the best wall seconds and the process
// CPU seconds of that run.
func timed(f func() error) (wall, cpu float64, err error) {
	wall = math.Inf(1)
	for range repeats {
		c0, t0 := cpuSeconds(), time.Now()
		if err = f(); err != nil {
			return 0, 0, err
		}
		if w := time.Since(t0).Seconds(); w < wall {
			wall, cpu = w, cpuSeconds()-c0
		}
	}
	return wall, cpu, nil
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func timeAll(dir string, p params, big, init, db, ward *ml.Matrix, truth []int, out map[string]any) error {
	var km *cluster.KMeansResult
	w, c, err := timed(func() (e error) {
		km, e = cluster.KMeans(big, cluster.KMeansConfig{K: p.K, Init: init, MaxIter: p.MaxIter, Tol: -1})
		return e
	})
	if err != nil {
		return err
	}
	out["kmeans_s"], out["kmeans_cpu_s"], out["kmeans_iter"] = w, c, km.Iter
	out["kmeans_ms_per_iter"], out["kmeans_inertia"] = 1000*w/float64(km.Iter), km.Inertia
	var sil cluster.SilhouetteResult
	w, c, err = timed(func() (e error) {
		sil, e = cluster.Silhouette(big, truth, cluster.SilhouetteConfig{SampleSize: p.SampleSize, Seed: 1})
		return e
	})
	if err != nil {
		return err
	}
	out["silhouette_s"], out["silhouette_cpu_s"], out["silhouette"] = w, c, sil.Score
	var dres *cluster.DBSCANResult
	w, c, err = timed(func() (e error) {
		dres, e = cluster.DBSCAN(db, cluster.DBSCANConfig{Eps: p.Eps, MinSamples: p.MinSamples})
		return e
	})
	if err != nil {
		return err
	}
	out["dbscan_s"], out["dbscan_cpu_s"], out["dbscan_clusters"] = w, c, dres.NClusters
	var wres *cluster.WardResult
	w, c, err = timed(func() (e error) {
		wres, e = cluster.Ward(ward, cluster.WardConfig{K: p.K})
		return e
	})
	if err != nil {
		return err
	}
	out["ward_s"], out["ward_cpu_s"] = w, c
	for name, l := range map[string][]int{"go_kmeans.i64": km.Labels, "go_dbscan.i64": dres.Labels, "go_ward.i64": wres.Labels} {
		if err := writeLabels(filepath.Join(dir, name), l); err != nil {
			return err
		}
	}
	return nil
}

func writeF64(path string, v []float64) error {
	buf := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(x))
	}
	return os.WriteFile(path, buf, 0o644)
}

func readF64(path string) ([]float64, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v := make([]float64, len(buf)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(buf[8*i:]))
	}
	return v, nil
}

func writeLabels(path string, l []int) error {
	buf := make([]byte, 8*len(l))
	for i, x := range l {
		binary.LittleEndian.PutUint64(buf[8*i:], uint64(int64(x)))
	}
	return os.WriteFile(path, buf, 0o644)
}

func readLabels(path string) ([]int, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l := make([]int, len(buf)/8)
	for i := range l {
		l[i] = int(int64(binary.LittleEndian.Uint64(buf[8*i:])))
	}
	return l, nil
}
