package classify_test

import (
	"fmt"
	"sort"

	"github.com/omnify-cloud/omnify/ml/classify"
	"github.com/omnify-cloud/omnify/ml/metrics"
)

// The churn flow: pick the number of rounds on a later (out-of-time)
// validation window, refit on everything with that many rounds, calibrate
// on held-out rows, then read per-customer reasons off the contributions.
func ExampleFitGBT() {
	train, ytrain := synthetic(6000, 4, 1, 1)
	valid, yvalid := synthetic(3000, 4, 1, 2)
	probe, err := classify.FitGBT(train, ytrain, classify.GBTConfig{ValidX: valid, ValidY: yvalid, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	final, err := classify.FitGBT(train, ytrain, classify.GBTConfig{MaxIter: probe.BestIter, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	iso, err := classify.FitIsotonic(final.PredictProba(valid), yvalid)
	if err != nil {
		fmt.Println(err)
		return
	}
	model := classify.Calibrated{Base: final, Cal: iso}
	auc, _ := metrics.ROCAUC(yvalid, model.PredictProba(valid))
	fmt.Println("stopped early:", probe.BestIter < 200)
	fmt.Println("validation AUC above 0.8:", auc > 0.8)

	contrib := final.Contributions(valid.Row(0))
	order := []int{0, 1, 2, 3}
	sort.Slice(order, func(a, b int) bool { return contrib[order[a]] > contrib[order[b]] })
	fmt.Println("strongest reason is an informative feature:", order[0] <= 2)
	// Output:
	// stopped early: true
	// validation AUC above 0.8: true
	// strongest reason is an informative feature: true
}
