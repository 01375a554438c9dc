package eyes

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/metrics"
)

// ModelCard documents one churn model: what it learned from, how it was
// validated and how well it did.
type ModelCard struct {
	HorizonDays int    `json:"horizon_days"`
	Scored      bool   `json:"scored"`
	Reason      string `json:"reason,omitempty"` // why the model did not score, when it did not
	Model       string `json:"model"`
	Label       string `json:"label"`
	// TrainCutoffs are the dates features were frozen at for training; each
	// row's label comes from the HorizonDays that follow its cutoff.
	TrainCutoffs     []time.Time `json:"train_cutoffs"`
	ValidationCutoff time.Time   `json:"validation_cutoff,omitzero"`
	DataStart        time.Time   `json:"data_start,omitzero"`
	DataEnd          time.Time   `json:"data_end,omitzero"`
	TrainRows        int         `json:"train_rows"`
	ValidationRows   int         `json:"validation_rows"`
	TrainBaseRate    float64     `json:"train_base_rate"`
	BaseRate         float64     `json:"base_rate"` // churn rate in the validation window
	AUC              float64     `json:"auc"`       // out-of-time ROC AUC
	Brier            float64     `json:"brier"`
	FeaturesUsed     []string    `json:"features_used"`
	Drivers          []Driver    `json:"drivers,omitempty"`
	GatePassed       bool        `json:"gate_passed"`
	// Sampling says when training used a seeded sample of the customers.
	Sampling        string  `json:"sampling,omitempty"`
	ScoredCustomers int     `json:"scored_customers"`
	MeanScore       float64 `json:"mean_score"`
}

// Driver is one feature's effect on churn risk: its standardised
// coefficient (direction and size on the log-odds scale, read with care
// when features move together) and its permutation importance (how much
// out-of-time AUC drops when the feature is shuffled).
type Driver struct {
	Feature     string  `json:"feature"`
	Coefficient float64 `json:"coefficient"` // log-odds per standard deviation
	Effect      string  `json:"effect"`
	Importance  float64 `json:"importance"` // AUC drop on the validation window
}

// churnScores is one horizon's output for the customers active at as-of.
type churnScores struct {
	card    ModelCard
	p       []float64  // aligned with pipeline.active
	reasons [][]string // aligned with pipeline.active; nil unless kept
}

// labelled is a feature matrix with its churn labels.
type labelled struct {
	X *ml.Matrix
	y []bool
}

// churnFor trains at earlier cutoffs, validates out of time and scores the
// as-of features for horizon h (days).
func (p *pipeline) churnFor(h int, keepReasons bool) churnScores {
	card := ModelCard{HorizonDays: h, Model: "logistic regression (L2, C=1) on log-scaled, standardised features",
		Label: fmt.Sprintf("churned = no purchase in the %d days after the cutoff", h)}
	out := churnScores{card: card}
	train, valid, err := p.churnData(h, &out.card)
	if err != nil {
		out.card.Reason = err.Error()
		return out
	}
	m, err := fitChurnModel(train.X, train.y, p.fs.names, p.cfg.Workers)
	if err != nil {
		out.card.Reason = "the training data could not fit a model: " + err.Error()
		return out
	}
	pv := m.predict(valid.X)
	auc, aerr := metrics.ROCAUC(valid.y, pv)
	brier, berr := metrics.Brier(valid.y, pv)
	if aerr != nil || berr != nil {
		out.card.Reason = fmt.Sprintf("validation could not be scored: %v %v", aerr, berr)
		return out
	}
	out.card.AUC, out.card.Brier = clean(auc), clean(brier)
	importance := m.permutationImportance(valid, p.cfg.Seed)
	out.card.GatePassed = out.card.AUC >= p.cfg.MinAUC
	final, err := fitChurnModel(stack(train, valid), append(append([]bool(nil), train.y...), valid.y...), p.fs.names, p.cfg.Workers)
	if err != nil {
		out.card.Reason = "the refit on all windows failed: " + err.Error()
		return out
	}
	p.scoreAsOf(final, &out, keepReasons)
	out.card.Drivers = rankDrivers(out.card.Drivers, importance)
	return out
}

// rankDrivers attaches importances and orders drivers by them, largest
// first, falling back to coefficient size.
func rankDrivers(ds []Driver, importance map[string]float64) []Driver {
	for i := range ds {
		ds[i].Importance = importance[ds[i].Feature]
	}
	slices.SortStableFunc(ds, func(a, b Driver) int {
		if c := cmpFloat(b.Importance, a.Importance); c != 0 {
			return c
		}
		return cmpFloat(math.Abs(b.Coefficient), math.Abs(a.Coefficient))
	})
	return ds
}

func stack(a, b labelled) *ml.Matrix {
	X := ml.NewMatrix(a.X.Rows+b.X.Rows, a.X.Cols)
	copy(X.Data, a.X.Data)
	copy(X.Data[len(a.X.Data):], b.X.Data)
	return X
}

func (p *pipeline) scoreAsOf(m *churnModel, out *churnScores, keepReasons bool) {
	out.p = m.predict(p.feat.X)
	out.card.Scored, out.card.ScoredCustomers = true, len(out.p)
	out.card.FeaturesUsed, out.card.Drivers = m.usedNames(), m.drivers()
	sum := 0.0
	for _, v := range out.p {
		sum += v
	}
	out.card.MeanScore = sum / float64(len(out.p))
	if !keepReasons {
		return
	}
	out.reasons = make([][]string, len(out.p))
	parallel(len(out.p), p.cfg.Workers, func(lo, hi int) {
		scratch := make([]float64, len(p.fs.names))
		for k := lo; k < hi; k++ {
			out.reasons[k] = m.reasons(p.feat.X.Row(k), scratch)
		}
	})
}

// churnData builds the stacked training windows and the validation window,
// or says which data minimum is not met.
func (p *pipeline) churnData(h int, card *ModelCard) (labelled, labelled, error) {
	D := p.asOfDay
	vCut := D - int32(h)
	need := int32(2*h + p.cfg.MinHistoryDays)
	if have := D - p.firstDay; have < need {
		return labelled{}, labelled{}, fmt.Errorf("not enough history: a %d-day model needs %d days of orders before as-of (two horizons plus %d days), the data has %d",
			h, need, p.cfg.MinHistoryDays, have)
	}
	var train labelled
	for _, c := range p.trainingCutoffs(h) {
		w := p.window(c, h)
		train = appendLabelled(train, w)
		card.TrainCutoffs = append(card.TrainCutoffs, dayTime(c))
	}
	valid := p.window(vCut, h)
	card.ValidationCutoff, card.DataStart, card.DataEnd = dayTime(vCut), dayTime(p.firstDay), dayTime(D)
	card.TrainRows, card.ValidationRows = rowsOf(train), rowsOf(valid)
	if n := len(p.churnSample); n < len(p.active) {
		card.Sampling = fmt.Sprintf("training and validation windows use a seeded sample of %d of the %d customers; every customer is scored", n, len(p.active))
	}
	card.TrainBaseRate, card.BaseRate = rate(train.y), rate(valid.y)
	if err := p.enough("training", train); err != nil {
		return train, valid, err
	}
	return train, valid, p.enough("validation", valid)
}

func rowsOf(l labelled) int {
	if l.X == nil {
		return 0
	}
	return l.X.Rows
}

func (p *pipeline) enough(what string, l labelled) error {
	if rowsOf(l) < p.cfg.MinCustomers {
		return fmt.Errorf("not enough customers: the %s window has %d, the minimum is %d", what, rowsOf(l), p.cfg.MinCustomers)
	}
	pos := 0
	for _, v := range l.y {
		pos += boolInt(v)
	}
	if m := min(pos, len(l.y)-pos); m < p.cfg.MinClassCount {
		return fmt.Errorf("not enough outcomes: the %s window has %d churned and %d retained customers, each needs at least %d",
			what, pos, len(l.y)-pos, p.cfg.MinClassCount)
	}
	return nil
}

func rate(y []bool) float64 {
	if len(y) == 0 {
		return 0
	}
	n := 0
	for _, v := range y {
		n += boolInt(v)
	}
	return float64(n) / float64(len(y))
}

func appendLabelled(a, b labelled) labelled {
	if a.X == nil {
		return b
	}
	return labelled{X: stack(a, b), y: append(a.y, b.y...)}
}

// window is the features of the sampled customers active at cutoff c and
// whether each bought nothing in the h days after it.
func (p *pipeline) window(c int32, h int) labelled {
	cf := p.cutoff(c)
	y := make([]bool, len(cf.idx))
	for k, i := range cf.idx {
		y[k] = !p.hist.boughtIn(i, c, c+int32(h))
	}
	return labelled{X: cf.X, y: y}
}

// trainingCutoffs lists the cutoff days horizon h trains on, latest first,
// stopping where less than MinHistoryDays of history would precede them.
func (p *pipeline) trainingCutoffs(h int) []int32 {
	var out []int32
	for j := 0; j < p.cfg.TrainCutoffs; j++ {
		c := p.asOfDay - int32(2*h+j*p.cfg.CutoffStep)
		if c-p.firstDay < int32(p.cfg.MinHistoryDays) {
			break
		}
		out = append(out, c)
	}
	return out
}

// precomputeCutoffs computes the features of every cutoff the horizons will
// need, several at once: each cutoff fits its own BG/NBD model, a serial
// step that would otherwise run one cutoff after another.
func (p *pipeline) precomputeCutoffs() {
	var days []int32
	for _, h := range p.res.Horizons {
		if p.asOfDay-p.firstDay < int32(2*h+p.cfg.MinHistoryDays) {
			continue
		}
		for _, c := range append(p.trainingCutoffs(h), p.asOfDay-int32(h)) {
			if !slices.Contains(days, c) {
				days = append(days, c)
			}
		}
	}
	out := make([]*cutoffFeatures, len(days))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(p.cfg.Workers, len(days)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := int(next.Add(1) - 1); k < len(days); k = int(next.Add(1) - 1) {
				out[k] = p.fs.at(days[k], p.fs.active(days[k], p.churnSample), bgCutoffSample)
			}
		}()
	}
	wg.Wait()
	for k, c := range days {
		p.cutoffs[c] = out[k]
	}
}

// cutoff returns (and caches) the features of the churn sample at day c.
func (p *pipeline) cutoff(c int32) *cutoffFeatures {
	if cf, ok := p.cutoffs[c]; ok {
		return cf
	}
	cf := p.fs.at(c, p.fs.active(c, p.churnSample), bgCutoffSample)
	p.cutoffs[c] = cf
	return cf
}

func dayTime(d int32) time.Time { return time.Unix(int64(d)*secondsPerDay, 0).UTC() }
