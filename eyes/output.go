package eyes

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// WriteOutputs writes a run's files into dir (created if needed):
// customers.csv (one row per scored customer), features.csv (customer_id
// then the exact matrix the chosen clustering ran on, at full float
// precision) and report.json (the Result without per-customer rows).
func WriteOutputs(dir string, r *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write outputs: %w", err)
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"customers.csv", r.WriteCustomersCSV}, {"features.csv", r.WriteFeaturesCSV}, {"report.json", r.WriteReport},
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, f.name), f.write); err != nil {
			return fmt.Errorf("write outputs: %s: %w", f.name, err)
		}
	}
	return nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// csvField quotes a value only when CSV requires it.
func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// WriteCustomersCSV writes one row per customer. A churn column is empty
// when that horizon could not be scored.
func (r *Result) WriteCustomersCSV(w io.Writer) error {
	head := []string{"customer_id", "segment", "cluster"}
	for _, h := range r.Horizons {
		head = append(head, "churn_"+strconv.Itoa(h))
	}
	head = append(head, "p_alive", "expected_clv", "segment_id", "rfm_segment", "rfm_r", "rfm_f", "rfm_m", "consent", "exportable",
		"platforms", "x", "y", "reasons")
	if _, err := io.WriteString(w, strings.Join(head, ",")+"\n"); err != nil {
		return err
	}
	buf := make([]byte, 0, 512)
	for k := range r.Customers {
		buf = r.appendCustomer(buf[:0], &r.Customers[k])
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

func (r *Result) appendCustomer(b []byte, c *CustomerResult) []byte {
	b = append(b, csvField(c.ID)...)
	b = append(b, ',')
	b = append(b, csvField(c.Segment)...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(c.Cluster), 10)
	for _, h := range r.Horizons {
		b = append(b, ',')
		if v, ok := c.Churn[h]; ok {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	for _, v := range []float64{c.PAlive, c.ExpectedCLV} {
		b = append(b, ',')
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	b = append(b, ',')
	b = append(b, c.SegmentID...)
	b = append(b, ',')
	b = append(b, csvField(c.RFM.Segment)...)
	for _, v := range []int{c.RFM.R, c.RFM.F, c.RFM.M} {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(v), 10)
	}
	b = append(b, ',')
	b = append(b, c.Consent...)
	b = append(b, ',')
	b = strconv.AppendBool(b, c.Exportable)
	b = append(b, ',')
	b = append(b, csvField(strings.Join(c.Platforms, ";"))...)
	for _, v := range []float64{c.X, c.Y} {
		b = append(b, ',')
		b = strconv.AppendFloat(b, v, 'g', -1, 64)
	}
	b = append(b, ',')
	b = append(b, csvField(strings.Join(c.Reasons, ";"))...)
	return append(b, '\n')
}

// WriteFeaturesCSV writes customer_id and the clustered matrix.
func (r *Result) WriteFeaturesCSV(w io.Writer) error {
	X, names := r.ClusterMatrix()
	if _, err := io.WriteString(w, strings.Join(append([]string{"customer_id"}, names...), ",")+"\n"); err != nil {
		return err
	}
	if X == nil {
		return nil
	}
	buf := make([]byte, 0, 256)
	for k := range r.Customers {
		buf = append(buf[:0], csvField(r.Customers[k].ID)...)
		for _, v := range X.Row(k) {
			buf = append(buf, ',')
			buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// WriteReport writes the Result as indented JSON without customer rows.
func (r *Result) WriteReport(w io.Writer) error {
	c := *r
	c.Customers = nil
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&c)
}
