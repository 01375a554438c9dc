package classify

import (
	"errors"
	"fmt"
	"math"

	"github.com/omnify-cloud/omnify/ml"
)

// GBTConfig controls FitGBT. Zero fields take the defaults in brackets,
// which follow scikit-learn's HistGradientBoostingClassifier.
type GBTConfig struct {
	MaxIter        int     // boosting rounds [200]
	LearningRate   float64 // shrinkage of each tree [0.1]
	MaxLeafNodes   int     // leaves per tree [31]
	MaxDepth       int     // 0 = unlimited
	MinSamplesLeaf int     // rows per leaf [20]
	L2             float64 // ridge penalty on leaf values [0]
	MaxBins        int     // quantile bins per feature, 2..255 [255]; NaN gets its own
	Seed           int64   // drives the row sample used to place bin edges
	Workers        int     // goroutines; 0 = GOMAXPROCS. Results do not depend on it.

	// ValidX and ValidY, when set, turn on early stopping: boosting stops
	// once validation log-loss has not improved by EarlyStoppingTol for
	// EarlyStoppingRounds rounds, and the model keeps the best round. The
	// rows are used as given, never shuffled, so a time-based split holds.
	ValidX              *ml.Matrix
	ValidY              []bool
	EarlyStoppingRounds int     // [10]
	EarlyStoppingTol    float64 // [1e-7]
}

func (c GBTConfig) withDefaults() GBTConfig {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.MaxIter, 200)
	def(&c.MaxLeafNodes, 31)
	def(&c.MinSamplesLeaf, 20)
	def(&c.MaxBins, 255)
	def(&c.EarlyStoppingRounds, 10)
	if c.LearningRate == 0 {
		c.LearningRate = 0.1
	}
	if c.EarlyStoppingTol == 0 {
		c.EarlyStoppingTol = 1e-7
	}
	return c
}

func (c GBTConfig) validate(cols int) error {
	switch {
	case c.MaxIter < 1 || c.MaxLeafNodes < 2 || c.MinSamplesLeaf < 1 || c.EarlyStoppingRounds < 1:
		return errors.New("MaxIter, MinSamplesLeaf and EarlyStoppingRounds must be positive, MaxLeafNodes at least 2")
	case c.MaxBins < 2 || c.MaxBins > 255:
		return fmt.Errorf("MaxBins = %d outside 2..255", c.MaxBins)
	case !(c.LearningRate > 0) || !(c.L2 >= 0) || c.MaxDepth < 0 || c.EarlyStoppingTol < 0:
		return errors.New("LearningRate must be positive; L2, MaxDepth and EarlyStoppingTol not negative")
	case (c.ValidX == nil) != (c.ValidY == nil):
		return errors.New("ValidX and ValidY must be set together")
	}
	if c.ValidX == nil {
		return nil
	}
	if err := checkMatrix(c.ValidX, len(c.ValidY)); err != nil {
		return fmt.Errorf("validation set: %w", err)
	}
	if c.ValidX.Cols != cols {
		return fmt.Errorf("validation set has %d columns, training %d: %w", c.ValidX.Cols, cols, ErrShape)
	}
	if err := checkValues(c.ValidX, true); err != nil {
		return fmt.Errorf("validation set: %w", err)
	}
	return nil
}

// GBT is a fitted gradient-boosted tree ensemble for binary log-loss.
type GBT struct {
	Baseline   float64   // log-odds of the training churn rate
	BestIter   int       // trees kept: the round with the best validation loss, or MaxIter
	Iterations int       // rounds grown before stopping
	ValidLoss  []float64 // validation log-loss after each round (empty without early stopping)

	trees   []*tree
	mapper  *binMapper
	feats   int
	workers int
}

var _ Model = (*GBT)(nil)

// FitGBT boosts histogram trees on the log-loss gradient: features are
// quantile-binned once, each tree grows best-leaf-first from gradient
// histograms, and sibling histograms come from subtraction.
func FitGBT(X *ml.Matrix, y []bool, cfg GBTConfig) (*GBT, error) {
	cfg = cfg.withDefaults()
	if err := checkTraining(X, y, true); err != nil {
		return nil, fmt.Errorf("fit gbt: %w", err)
	}
	if err := cfg.validate(X.Cols); err != nil {
		return nil, fmt.Errorf("fit gbt: %w", err)
	}
	b := newBooster(X, y, cfg)
	return b.run(), nil
}

// NumFeatures reports the fitted width.
func (m *GBT) NumFeatures() int { return m.feats }

// RawScore returns the log-odds for one row, NaN if x has the wrong width.
func (m *GBT) RawScore(x []float64) float64 {
	if len(x) != m.feats {
		return math.NaN()
	}
	z := m.Baseline
	for _, t := range m.trees {
		z += t.nodes[t.leaf(x)].Value
	}
	return z
}

// PredictProba returns P(churn) per row, spread over the configured workers.
func (m *GBT) PredictProba(X *ml.Matrix) []float64 {
	if !fits(X, m.feats) {
		return nil
	}
	out := make([]float64, X.Rows)
	forChunks(X.Rows, m.workers, func(_, lo, hi int) {
		m.rawScores(X, lo, hi, out)
		for i := lo; i < hi; i++ {
			out[i] = sigmoid(out[i])
		}
	})
	return out
}

// rawScores writes log-odds for rows [lo, hi) into out. Rows are coded to
// bins once, then scored tree by tree so each tree's nodes stay in cache.
func (m *GBT) rawScores(X *ml.Matrix, lo, hi int, out []float64) {
	f := m.feats
	codes := make([]uint8, (hi-lo)*f)
	for i := lo; i < hi; i++ {
		row, c := X.Row(i), codes[(i-lo)*f:(i-lo+1)*f]
		for j, v := range row {
			c[j] = m.mapper.bin(j, v)
		}
		out[i] = m.Baseline
	}
	for _, t := range m.trees {
		for i := lo; i < hi; i++ {
			out[i] += t.nodes[t.leafCoded(codes[(i-lo)*f:(i-lo+1)*f])].Value
		}
	}
}

// Bias is the part of every raw score not credited to a feature: the
// baseline plus each tree's root value.
func (m *GBT) Bias() float64 {
	b := m.Baseline
	for _, t := range m.trees {
		b += t.nodes[0].Value
	}
	return b
}

// Contributions splits x's raw score among features along each tree's path;
// Bias() plus their sum equals RawScore(x). Large positive entries are the
// reasons a customer is flagged. Rows of the wrong width get nil.
func (m *GBT) Contributions(x []float64) []float64 {
	if len(x) != m.feats {
		return nil
	}
	out := make([]float64, m.feats)
	for _, t := range m.trees {
		t.addContributions(x, out)
	}
	return out
}

// FeatureImportance returns, per feature, the total loss reduction of the
// splits on it in the kept trees.
func (m *GBT) FeatureImportance() []float64 {
	out := make([]float64, m.feats)
	for _, t := range m.trees {
		for _, n := range t.nodes {
			if n.Left >= 0 {
				out[n.Feature] += n.Gain
			}
		}
	}
	return out
}

// NumTrees is the number of trees in the kept ensemble.
func (m *GBT) NumTrees() int { return len(m.trees) }

// logOdds turns a churn rate into the starting raw score.
func logOdds(y []bool) float64 {
	pos := 0.0
	for _, v := range y {
		pos += b2f(v)
	}
	p := pos / float64(len(y))
	return math.Log(p / (1 - p))
}
