package classify

import "github.com/omnify-cloud/omnify/ml"

// booster runs the boosting loop: gradients, one tree, score updates,
// validation bookkeeping.
type booster struct {
	cfg   GBTConfig
	y     []bool
	raw   []float64 // training log-odds
	vraw  []float64 // validation log-odds
	gr    *grower
	model *GBT
}

func newBooster(X *ml.Matrix, y []bool, cfg GBTConfig) *booster {
	bm := fitBins(X, cfg.MaxBins, cfg.Seed, cfg.Workers)
	bins := bm.transform(X, cfg.Workers)
	m := &GBT{Baseline: logOdds(y), mapper: bm, feats: X.Cols, workers: cfg.Workers}
	b := &booster{cfg: cfg, y: y, model: m, gr: newGrower(cfg, bins, bm, X.Rows, X.Cols)}
	b.raw = filled(X.Rows, m.Baseline)
	if cfg.ValidX != nil {
		b.vraw = filled(cfg.ValidX.Rows, m.Baseline)
	}
	return b
}

func filled(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// run boosts until MaxIter or early stopping and trims to the best round.
func (b *booster) run() *GBT {
	m := b.model
	best, bestLoss := 0, 0.0
	for it := 1; it <= b.cfg.MaxIter; it++ {
		b.gradients()
		t, leaves := b.gr.grow()
		m.trees = append(m.trees, t)
		m.Iterations = it
		for _, lf := range leaves {
			v := t.nodes[lf.id].Value
			for _, i := range b.gr.idx[lf.start:lf.end] {
				b.raw[i] += v
			}
		}
		if b.vraw == nil {
			continue
		}
		loss := b.validate(t)
		m.ValidLoss = append(m.ValidLoss, loss)
		if best == 0 || loss < bestLoss-b.cfg.EarlyStoppingTol {
			best, bestLoss = it, loss
		} else if it-best >= b.cfg.EarlyStoppingRounds {
			break
		}
	}
	m.BestIter = m.Iterations
	if b.vraw != nil {
		m.BestIter = best
		m.trees = m.trees[:best]
	}
	return m
}

// gradients sets the log-loss gradient p−y and hessian p(1−p) per row.
func (b *booster) gradients() {
	g, h := b.gr.g, b.gr.h
	forChunks(len(b.y), b.cfg.Workers, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			p := sigmoid(b.raw[i])
			g[i] = p - b2f(b.y[i])
			h[i] = p * (1 - p)
		}
	})
}

// validate adds tree t to the validation scores and returns the log-loss.
func (b *booster) validate(t *tree) float64 {
	X, y := b.cfg.ValidX, b.cfg.ValidY
	part := make([]float64, numChunks(X.Rows))
	forChunks(X.Rows, b.cfg.Workers, func(c, lo, hi int) {
		var s float64
		for i := lo; i < hi; i++ {
			b.vraw[i] += t.nodes[t.leaf(X.Row(i))].Value
			z := b.vraw[i]
			s += softplus(z) - b2f(y[i])*z
		}
		part[c] = s
	})
	var sum float64
	for _, s := range part {
		sum += s
	}
	return sum / float64(X.Rows)
}
