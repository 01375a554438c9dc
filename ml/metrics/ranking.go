package metrics

import (
	"cmp"
	"fmt"
	"slices"
)

// thresholdStep is one distinct score value: the true and false positives
// counted when every sample scoring at least that value is called positive.
type thresholdStep struct{ tp, fp float64 }

// steps walks the scores from highest to lowest and emits one cumulative
// count per distinct value, so tied scores move the curve in one diagonal
// step, as scikit-learn's curves do.
func steps(y []bool, s []float64) []thresholdStep {
	type scored struct {
		s   float64
		pos bool
	}
	order := make([]scored, len(s))
	for i, v := range s {
		order[i] = scored{v, y[i]}
	}
	slices.SortFunc(order, func(a, b scored) int { return cmp.Compare(b.s, a.s) })
	var out []thresholdStep
	var tp, fp float64
	for k, o := range order {
		if o.pos {
			tp++
		} else {
			fp++
		}
		if k == len(order)-1 || order[k+1].s != o.s {
			out = append(out, thresholdStep{tp, fp})
		}
	}
	return out
}

// ROCAUC returns the area under the ROC curve; tied scores count half, as in
// scikit-learn's roc_auc_score.
func ROCAUC(y []bool, score []float64) (float64, error) {
	pos, err := checkScores(y, score)
	if err != nil {
		return 0, fmt.Errorf("roc auc: %w", err)
	}
	neg := float64(len(y) - pos)
	var area, prevTP, prevFP float64
	for _, st := range steps(y, score) {
		area += (st.fp - prevFP) * (st.tp + prevTP) / 2
		prevTP, prevFP = st.tp, st.fp
	}
	return area / (float64(pos) * neg), nil
}

// PRAUC returns the average precision, the step-wise area under the
// precision-recall curve (scikit-learn's average_precision_score). It is the
// better summary when churners are rare.
func PRAUC(y []bool, score []float64) (float64, error) {
	pos, err := checkScores(y, score)
	if err != nil {
		return 0, fmt.Errorf("average precision: %w", err)
	}
	var ap, prevRecall float64
	for _, st := range steps(y, score) {
		recall := st.tp / float64(pos)
		ap += (recall - prevRecall) * st.tp / (st.tp + st.fp)
		prevRecall = recall
	}
	return ap, nil
}
