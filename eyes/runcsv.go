package eyes

import (
	"context"
	"fmt"
	"io"
	"time"
)

// RunCSV loads a transactions CSV up to asOf and runs the pipeline on it,
// attaching the load report and the load time to the result.
func RunCSV(ctx context.Context, r io.Reader, asOf time.Time, cfg Config) (*Result, error) {
	start := time.Now()
	in, rep, err := LoadTransactionsCSV(r, asOf)
	if err != nil {
		return nil, fmt.Errorf("load transactions: %w", err)
	}
	loaded := time.Since(start).Seconds()
	res, err := Run(ctx, *in, cfg)
	if err != nil {
		return nil, err
	}
	res.Load = rep
	if n := rep.Consent.Malformed; n > 0 {
		res.Consent.Malformed += n
		res.Messages = append(res.Messages, fmt.Sprintf(
			"%d rows carry a consent value other than true or false (first on line %d); those customers count as unknown and are never exported",
			n, rep.Issues[0].Line))
	}
	res.Timings = append([]Timing{{Step: "read_csv", Seconds: loaded}}, res.Timings...)
	return res, nil
}
