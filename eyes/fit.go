package eyes

import (
	"fmt"
	"io"
	"time"

	"github.com/omnify-cloud/omnify/ml/btyd"
)

// Purchase-model names accepted by FitPurchaseModel.
const (
	ModelBGNBD      = "bgnbd"
	ModelParetoNBD  = "paretonbd"
	ModelGammaGamma = "gammagamma"
)

// FitResult is a fitted purchase or spend model's parameters.
type FitResult struct {
	Model  string             `json:"model"`
	Params map[string]float64 `json:"params"`
	LogLik float64            `json:"loglik"`
}

// FitPurchaseModel reads a transactions CSV and fits one buy-till-you-die
// model on the calibration period ending at calibrationEnd (inclusive):
// BG/NBD or Pareto/NBD on (frequency, recency, age), or Gamma-Gamma on the
// repeat buyers' mean repeat spend. unit is "week" (default) or "day". Every
// customer is fitted (no sampling), so published figures reproduce.
func FitPurchaseModel(r io.Reader, model string, calibrationEnd time.Time, unit string) (*FitResult, error) {
	u, err := timeUnit(unit)
	if err != nil {
		return nil, err
	}
	if model != ModelBGNBD && model != ModelParetoNBD && model != ModelGammaGamma {
		return nil, fmt.Errorf("%w: model %q: want bgnbd, paretonbd or gammagamma", ErrBadInput, model)
	}
	in, _, err := LoadTransactionsCSV(r, calibrationEnd)
	if err != nil {
		return nil, fmt.Errorf("fit %s: %w", model, err)
	}
	var txns []btyd.Transaction
	for _, c := range in.Customers {
		for _, o := range c.Orders {
			txns = append(txns, btyd.Transaction{CustomerID: c.ID, Time: o.Time, Amount: o.Amount})
		}
	}
	sums, err := btyd.Summarize(txns, calibrationEnd, u)
	if err != nil {
		return nil, fmt.Errorf("fit %s: %w", model, err)
	}
	data := make([]btyd.RFM, len(sums))
	for i, s := range sums {
		data[i] = s.RFM
	}
	return fitModel(model, data)
}

func timeUnit(s string) (btyd.TimeUnit, error) {
	switch s {
	case "", "week":
		return btyd.Week, nil
	case "day":
		return btyd.Day, nil
	}
	return 0, fmt.Errorf("%w: time unit %q: want week or day", ErrBadInput, s)
}

func fitModel(model string, data []btyd.RFM) (*FitResult, error) {
	opts := btyd.FitOptions{MaxSample: -1}
	switch model {
	case ModelBGNBD:
		m, err := btyd.FitBGNBD(data, opts)
		if err != nil {
			return nil, fmt.Errorf("fit %s: %w", model, err)
		}
		return &FitResult{Model: model, Params: m.Params(), LogLik: m.LogLik}, nil
	case ModelParetoNBD:
		m, err := btyd.FitParetoNBD(data, opts)
		if err != nil {
			return nil, fmt.Errorf("fit %s: %w", model, err)
		}
		return &FitResult{Model: model, Params: m.Params(), LogLik: m.LogLik}, nil
	}
	freq, mon := make([]float64, len(data)), make([]float64, len(data))
	for i, d := range data {
		freq[i], mon[i] = d.X, d.Monetary
	}
	m, err := btyd.FitGammaGammaOptions(freq, mon, opts)
	if err != nil {
		return nil, fmt.Errorf("fit %s: %w", model, err)
	}
	return &FitResult{Model: model, Params: m.Params(), LogLik: m.LogLik}, nil
}
