package demo

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"
)

// TransactionsHeader is the header row of the transactions CSV.
const TransactionsHeader = "customer_id,order_date,amount,order_id,email,currency,consent"

// Stats summarises a streamed data set.
type Stats struct {
	Customers   int
	Orders      int
	Bytes       int64
	AmountMinor int64 // total of all orders
	FirstOrder  time.Time
	LastOrder   time.Time
}

// WriteTransactionsCSV streams the orders of the data set described by cfg
// to w in OmniFy's transactions CSV format, one customer at a time, so
// memory stays bounded whatever the number of customers. The rows are the
// orders Generate returns for the same config. Consent is written as
// true (granted), false (denied) or empty (unknown).
func WriteTransactionsCSV(w io.Writer, cfg Config) (Stats, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.validate(); err != nil {
		return Stats{}, fmt.Errorf("write demo transactions: %w", err)
	}
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	var st Stats
	if _, err := bw.WriteString(TransactionsHeader + "\n"); err != nil {
		return st, fmt.Errorf("write demo transactions: %w", err)
	}
	g := newGenerator(cfg)
	line := make([]byte, 0, 256)
	for i := 0; i < cfg.Customers; i++ {
		c, orders := g.customer(i)
		for _, o := range orders {
			line = appendRow(line[:0], c, o)
			if _, err := bw.Write(line); err != nil {
				return st, fmt.Errorf("write demo transactions: %w", err)
			}
			st.add(o)
		}
		st.Customers++
	}
	if err := bw.Flush(); err != nil {
		return st, fmt.Errorf("write demo transactions: %w", err)
	}
	st.Bytes = cw.n
	return st, nil
}

func (s *Stats) add(o Order) {
	if s.Orders == 0 || o.PlacedAt.Before(s.FirstOrder) {
		s.FirstOrder = o.PlacedAt
	}
	if o.PlacedAt.After(s.LastOrder) {
		s.LastOrder = o.PlacedAt
	}
	s.Orders++
	s.AmountMinor += o.AmountMinor
}

// appendRow formats one order; none of the fields can contain a comma or
// quote, so no CSV quoting is needed.
func appendRow(b []byte, c Customer, o Order) []byte {
	b = append(b, c.ID...)
	b = append(b, ',')
	b = o.PlacedAt.UTC().AppendFormat(b, time.DateOnly)
	b = append(b, ',')
	b = AppendAmount(b, o.AmountMinor)
	b = append(b, ',')
	b = append(b, o.ID...)
	b = append(b, ',')
	b = append(b, c.Email...)
	b = append(b, ',')
	b = append(b, o.Currency...)
	b = append(b, ',')
	switch c.Consent {
	case ConsentGranted:
		b = append(b, "true"...)
	case ConsentDenied:
		b = append(b, "false"...)
	}
	return append(b, '\n')
}

// AppendAmount appends a minor-unit amount as a decimal with two places
// (1234 -> "12.34").
func AppendAmount(b []byte, minor int64) []byte {
	if minor < 0 {
		b = append(b, '-')
		minor = -minor
	}
	b = strconv.AppendInt(b, minor/100, 10)
	cents := minor % 100
	return append(b, '.', byte('0'+cents/10), byte('0'+cents%10))
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
