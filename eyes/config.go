package eyes

import (
	"fmt"
	"runtime"
	"slices"
)

// Config tunes a run. Zero fields take the defaults noted; WithDefaults
// fills them in.
type Config struct {
	Seed     int64 `json:"seed"`     // drives every sample and restart (default 0, itself a valid seed)
	Horizons []int `json:"horizons"` // churn horizons in days (default 30, 60, 90)
	Workers  int   `json:"workers"`  // goroutines (default GOMAXPROCS)

	MinSilhouette   float64 `json:"min_silhouette"`    // structure gate (default 0.45)
	MinAUC          float64 `json:"min_auc"`           // churn gate (default 0.70)
	MinClusterShare float64 `json:"min_cluster_share"` // a cluster must hold this share of customers (default 0.02)
	MaxNoiseShare   float64 `json:"max_noise_share"`   // DBSCAN noise may not exceed this share (default 0.10)
	KMin            int     `json:"k_min"`             // cluster counts tried by k-means and Ward (default 3..8)
	KMax            int     `json:"k_max"`

	// SelectionSample caps the customers on which k and eps are chosen
	// (default 20,000); DBSCANSample and WardSample cap those methods' own
	// fits (defaults 20,000 and 3,000), the rest being assigned afterwards.
	SelectionSample int `json:"selection_sample"`
	DBSCANSample    int `json:"dbscan_sample"`
	WardSample      int `json:"ward_sample"`
	// SelectionSilhouette is the sample size of the silhouette used to
	// compare settings (default 4,000).
	SelectionSilhouette int `json:"selection_silhouette"`
	// SilhouetteExactLimit is the largest customer count whose reported
	// silhouette is exact (default 20,000); above it SilhouetteSample
	// customers are scored (default 10,000), and the report says so.
	SilhouetteExactLimit int `json:"silhouette_exact_limit"`
	SilhouetteSample     int `json:"silhouette_sample"`
	// ChosenExactLimit is the largest customer count for which the chosen
	// method's silhouette is recomputed exactly after a sampled comparison
	// (default 30,000; below SilhouetteExactLimit it changes nothing).
	ChosenExactLimit int `json:"chosen_exact_limit"`

	MinCustomers   int `json:"min_customers"`    // customers a model or clustering needs (default 50)
	MinClassCount  int `json:"min_class_count"`  // churned and retained customers each needed per window (default 10)
	MinHistoryDays int `json:"min_history_days"` // history before the earliest training cutoff (default 30)
	TrainCutoffs   int `json:"train_cutoffs"`    // stacked training cutoffs per horizon (default 3)
	CutoffStep     int `json:"cutoff_step"`      // days between stacked training cutoffs (default 30)
	ChurnSample    int `json:"churn_sample"`     // customers sampled for churn training (default 60,000)
}

// WithDefaults returns c with zero fields replaced by their defaults.
func (c Config) WithDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	deff := func(v *float64, d float64) {
		if *v <= 0 {
			*v = d
		}
	}
	if len(c.Horizons) == 0 {
		c.Horizons = []int{30, 60, 90}
	}
	def(&c.Workers, runtime.GOMAXPROCS(0))
	deff(&c.MinSilhouette, 0.45)
	deff(&c.MinAUC, 0.70)
	deff(&c.MinClusterShare, 0.02)
	deff(&c.MaxNoiseShare, 0.10)
	def(&c.KMin, 3)
	def(&c.KMax, 8)
	def(&c.SelectionSample, 20_000)
	def(&c.DBSCANSample, 20_000)
	def(&c.WardSample, 3_000)
	def(&c.SelectionSilhouette, 4_000)
	def(&c.SilhouetteExactLimit, 20_000)
	def(&c.SilhouetteSample, 10_000)
	def(&c.ChosenExactLimit, 30_000)
	def(&c.MinCustomers, 50)
	def(&c.MinClassCount, 10)
	def(&c.MinHistoryDays, 30)
	def(&c.TrainCutoffs, 3)
	def(&c.CutoffStep, 30)
	def(&c.ChurnSample, 60_000)
	return c
}

func (c Config) validate() error {
	if c.KMin < 2 || c.KMax < c.KMin {
		return fmt.Errorf("%w: cluster counts %d..%d: need 2 ≤ KMin ≤ KMax", ErrBadInput, c.KMin, c.KMax)
	}
	seen := map[int]bool{}
	for _, h := range c.Horizons {
		if h < 1 || h > 3650 || seen[h] {
			return fmt.Errorf("%w: horizons %v: each must be a distinct number of days in 1..3650", ErrBadInput, c.Horizons)
		}
		seen[h] = true
	}
	if c.MinClusterShare >= 0.5 || c.MaxNoiseShare >= 1 {
		return fmt.Errorf("%w: size rules out of range", ErrBadInput)
	}
	return nil
}

func sortedHorizons(h []int) []int {
	out := slices.Clone(h)
	slices.Sort(out)
	return out
}
