package eyes

import (
	"fmt"
	"math"
	"slices"

	"github.com/omnify-cloud/omnify/ml"
	"github.com/omnify-cloud/omnify/ml/classify"
	"github.com/omnify-cloud/omnify/ml/metrics"
)

// logFeatures are heavy-tailed non-negative features the churn model sees
// through log1p, so a few extreme customers do not set the slope.
var logFeatures = [numBaseFeatures]bool{fRecency: true, fFrequency: true, fMonetaryTotal: true, fMonetaryAvg: true,
	fTenure: true, fIPTMean: true, fIPTStd: true, fRecent90: true, fExpected90: true, fDecay30: true, fDecay180: true}

// churnModel is a standardised L2 logistic regression over transformed
// features. Standardised coefficients double as churn drivers and make
// per-customer contributions comparable across features.
type churnModel struct {
	names []string
	keep  []int // feature columns used
	mean  []float64
	sd    []float64
	lr    *classify.Logistic
	// reasonText[k] holds the "low" and "high" reason codes of kept feature k.
	reasonText [][2]string
}

// churnC is the inverse L2 strength: mild, because features are few and
// rows many.
const churnC = 1.0

func transformValue(j int, v float64) float64 {
	if j < numBaseFeatures && logFeatures[j] {
		return math.Log1p(math.Max(v, 0))
	}
	return v
}

func fitChurnModel(F *ml.Matrix, y []bool, names []string, workers int) (*churnModel, error) {
	m := &churnModel{names: names}
	T := transformAll(F)
	for j := 0; j < T.Cols; j++ {
		mean, sd := colMeanStd(T, j)
		if sd > 1e-12 {
			m.keep = append(m.keep, j)
			m.mean, m.sd = append(m.mean, mean), append(m.sd, sd)
		}
	}
	if len(m.keep) == 0 {
		return nil, fmt.Errorf("fit churn model: every feature is constant")
	}
	Z := m.standardize(T)
	lr, err := classify.FitLogistic(Z, y, classify.LogisticConfig{C: churnC, FitIntercept: true, Workers: workers})
	if err != nil {
		return nil, fmt.Errorf("fit churn model: %w", err)
	}
	m.lr = lr
	for _, j := range m.keep {
		m.reasonText = append(m.reasonText, reasonCodes(names[j]))
	}
	return m, nil
}

func transformAll(F *ml.Matrix) *ml.Matrix {
	T := F.Clone()
	for i := 0; i < T.Rows; i++ {
		row := T.Row(i)
		for j := range row {
			row[j] = transformValue(j, row[j])
		}
	}
	return T
}

func (m *churnModel) standardize(T *ml.Matrix) *ml.Matrix {
	Z := ml.NewMatrix(T.Rows, len(m.keep))
	for i := 0; i < T.Rows; i++ {
		src, dst := T.Row(i), Z.Row(i)
		for k, j := range m.keep {
			dst[k] = (src[j] - m.mean[k]) / m.sd[k]
		}
	}
	return Z
}

func (m *churnModel) predict(F *ml.Matrix) []float64 {
	p := m.lr.PredictProba(m.standardize(transformAll(F)))
	for i := range p {
		p[i] = clean(p[i])
	}
	return p
}

// usedNames lists the features the model kept.
func (m *churnModel) usedNames() []string {
	out := make([]string, len(m.keep))
	for k, j := range m.keep {
		out[k] = m.names[j]
	}
	return out
}

// drivers are the standardised coefficients, largest effect first.
func (m *churnModel) drivers() []Driver {
	out := make([]Driver, len(m.keep))
	for k, j := range m.keep {
		c := m.lr.Coef[k]
		dir := "lowers churn risk"
		if c > 0 {
			dir = "raises churn risk"
		}
		out[k] = Driver{Feature: m.names[j], Coefficient: c, Effect: dir}
	}
	slices.SortStableFunc(out, func(a, b Driver) int { return cmpFloat(math.Abs(b.Coefficient), math.Abs(a.Coefficient)) })
	return out
}

// reasons names the (at most) three features that push one customer's risk
// up the most, e.g. "long since last purchase (recency_days)".
func (m *churnModel) reasons(row []float64, scratch []float64) []string {
	z := scratch[:len(m.keep)]
	for k, j := range m.keep {
		z[k] = (transformValue(j, row[j]) - m.mean[k]) / m.sd[k]
	}
	contrib := m.lr.Contributions(z)
	var out []string
	for len(out) < 3 {
		best := -1
		for k, c := range contrib {
			if c > 1e-9 && (best < 0 || c > contrib[best]) {
				best = k
			}
		}
		if best < 0 {
			break
		}
		code := m.reasonText[best][boolInt(z[best] > 0)]
		if j := m.keep[best]; (j == fIPTMean || j == fIPTStd) && row[fFrequency] <= 1 {
			// A single purchase has no gaps: what the model reads is
			// that the customer never came back.
			code = oneTimeReason
		}
		if !slices.Contains(out, code) {
			out = append(out, code)
		}
		contrib[best] = 0
	}
	return out
}

// importanceRepeats is how many shuffles average each permutation importance.
const importanceRepeats = 3

// permutationImportance is the mean AUC drop per kept feature when it is
// shuffled in the validation window, keyed by feature name.
func (m *churnModel) permutationImportance(valid labelled, seed int64) map[string]float64 {
	Z := m.standardize(transformAll(valid.X))
	auc := func(y []bool, p []float64) float64 {
		v, err := metrics.ROCAUC(y, p)
		if err != nil {
			return 0
		}
		return v
	}
	imp := classify.PermutationImportance(m.lr, Z, valid.y, auc, importanceRepeats, seed)
	out := make(map[string]float64, len(imp))
	for k, v := range imp {
		out[m.names[m.keep[k]]] = clean(v)
	}
	return out
}
