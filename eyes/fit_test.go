package eyes_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnify-cloud/omnify/eyes"
)

// TestFitPurchaseModelReproducesCDNOW fits each model on the CDNOW sample's
// 39-week calibration period and compares with the published estimates.
func TestFitPurchaseModelReproducesCDNOW(t *testing.T) {
	t.Parallel()
	tests := []struct {
		model string
		want  map[string]float64
		tol   float64 // relative
	}{
		{eyes.ModelBGNBD, map[string]float64{"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258}, 0.01},
		{eyes.ModelParetoNBD, map[string]float64{"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6562}, 0.02},
		{eyes.ModelGammaGamma, map[string]float64{"p": 6.25, "q": 3.74, "gamma": 15.44}, 0.01},
	}
	for _, tc := range tests {
		t.Run(tc.model, func(t *testing.T) {
			t.Parallel()
			f, err := os.Open(filepath.Join(sharedDir(t), "data", "cdnow", "cdnow_sample_transactions.csv"))
			if err != nil {
				t.Skipf("CDNOW data not available: %v", err)
			}
			defer f.Close()
			res, err := eyes.FitPurchaseModel(f, tc.model, mustDate(t, "1997-09-30"), "week")
			if err != nil {
				t.Fatal(err)
			}
			if res.Model != tc.model || !(res.LogLik < 0) {
				t.Errorf("result %+v: want model %s and a negative log-likelihood", res, tc.model)
			}
			for k, w := range tc.want {
				if got := res.Params[k]; math.Abs(got-w) > tc.tol*w {
					t.Errorf("%s = %.4f, published %.4f", k, got, w)
				}
			}
		})
	}
}

func TestFitPurchaseModelRejectsBadArguments(t *testing.T) {
	t.Parallel()
	const data = "customer_id,order_date,amount\na,2024-01-01,1\n"
	tests := []struct{ name, model, unit, want string }{
		{"unknown model", "prophet", "week", "model"},
		{"unknown unit", "bgnbd", "month", "time unit"},
		{"too few customers", "bgnbd", "day", "bgnbd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eyes.FitPurchaseModel(strings.NewReader(data), tc.model, mustDate(t, "2024-06-30"), tc.unit)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
			if tc.name != "too few customers" && !errors.Is(err, eyes.ErrBadInput) {
				t.Errorf("error %v does not wrap ErrBadInput", err)
			}
		})
	}
}
