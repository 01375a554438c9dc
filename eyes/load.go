package eyes

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	omnify "github.com/omnify-cloud/omnify"
)

// DefaultPlatform names the source of customers read from a file that has no
// platform column.
const DefaultPlatform = "csv"

// maxIssues bounds how many row issues a LoadReport lists one by one; the
// counts always cover every row.
const maxIssues = 100

// LoadReport says what LoadTransactionsCSV read and what it had to flag.
type LoadReport struct {
	Rows          int           `json:"rows"`             // data rows in the file
	RowsUsed      int           `json:"rows_used"`        // rows dated on or before as-of
	RowsAfterAsOf int           `json:"rows_after_as_of"` // rows ignored because they are later
	Customers     int           `json:"customers"`
	Columns       []string      `json:"columns"`
	Consent       ConsentCounts `json:"consent"`
	Issues        []RowIssue    `json:"issues,omitempty"`
	IssueCount    int           `json:"issue_count"`
}

// RowIssue is a problem with one row that did not stop the load, such as a
// malformed consent value.
type RowIssue struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Value   string `json:"value"`
	Message string `json:"message"`
}

// ErrBadInput marks every error caused by the content of the input rather
// than by reading it.
var ErrBadInput = errors.New("bad input")

func badInput(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadInput, fmt.Sprintf(format, args...))
}

type columns struct {
	id, date, amount, orderID, email, currency, consent, platform int
}

// rawRow is the compact form a row is kept in while the file streams by.
type rawRow struct {
	cust   int32
	sec    int64
	nsec   int32
	amount float64
}

type custAcc struct {
	id          string
	email       string
	platforms   []string
	consent     omnify.Consent
	consentSec  int64
	consentSeen bool
}

// LoadTransactionsCSV streams a transactions CSV (header row; columns
// customer_id, order_date, amount; optional order_id, email, currency,
// consent, platform) into an Input holding the rows dated on or before asOf.
// A row with an unparseable date or a negative or non-numeric amount stops the
// load with an error naming its line; a malformed consent value is reported
// in the LoadReport and the customer's consent counts as unknown.
func LoadTransactionsCSV(r io.Reader, asOf time.Time) (*Input, *LoadReport, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	cols, names, err := readHeader(br)
	if err != nil {
		return nil, nil, err
	}
	l := &loader{cols: cols, cutoff: dayEnd(asOf), index: map[string]int32{}}
	rep := &LoadReport{Columns: names}
	err = parseChunks(br, cols, l.cutoff, func(c *chunk) error {
		if c.readErr != nil {
			return fmt.Errorf("read transactions: %w", c.readErr)
		}
		for i := range c.rows {
			l.add(&c.rows[i], rep)
		}
		return c.err
	})
	if err != nil {
		return nil, nil, err
	}
	if rep.Rows == 0 {
		return nil, nil, badInput("no data rows after the header")
	}
	in := l.input(asOf)
	rep.Customers = len(in.Customers)
	rep.Consent = CountConsent(in.Customers)
	rep.Consent.Malformed = l.malformed
	return in, rep, nil
}

func dayEnd(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
}

func parseHeader(header []string) (columns, []string, error) {
	c := columns{-1, -1, -1, -1, -1, -1, -1, -1}
	slots := map[string]*int{
		"customer_id": &c.id, "order_date": &c.date, "amount": &c.amount, "order_id": &c.orderID,
		"email": &c.email, "currency": &c.currency, "consent": &c.consent, "platform": &c.platform,
	}
	names := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		names[i] = name
		if seen[name] {
			return c, nil, badInput("line 1: duplicate column %q in header", name)
		}
		seen[name] = true
		if p, ok := slots[name]; ok {
			*p = i
		}
	}
	var missing []string
	for _, req := range []string{"customer_id", "order_date", "amount"} {
		if *slots[req] < 0 {
			missing = append(missing, req)
		}
	}
	if len(missing) > 0 {
		return c, nil, badInput("line 1: missing required column(s) %s", strings.Join(missing, ", "))
	}
	return c, names, nil
}

type loader struct {
	cols      columns
	cutoff    time.Time
	index     map[string]int32
	accs      []custAcc
	rows      []rawRow
	malformed int
}

func (l *loader) add(r *parsedRow, rep *LoadReport) {
	rep.Rows++
	if r.after {
		rep.RowsAfterAsOf++
		return
	}
	rep.RowsUsed++
	ci := l.customer(r.id)
	l.rows = append(l.rows, rawRow{cust: ci, sec: r.sec, nsec: r.nsec, amount: r.amount})
	l.details(&l.accs[ci], r, rep)
}

func (l *loader) customer(id []byte) int32 {
	if ci, ok := l.index[string(id)]; ok {
		return ci
	}
	ci := int32(len(l.accs))
	s := string(id)
	l.index[s] = ci
	l.accs = append(l.accs, custAcc{id: s, consent: omnify.ConsentUnknown})
	return ci
}

// details folds the optional columns of one row into its customer: the
// latest non-empty consent value wins, e-mail and platforms accumulate.
// Strings are copied only when they change.
func (l *loader) details(a *custAcc, r *parsedRow, rep *LoadReport) {
	if len(r.email) > 0 && str(r.email) != a.email {
		a.email = string(r.email)
	}
	p := DefaultPlatform
	if len(r.platform) > 0 {
		p = str(r.platform)
	}
	if !containsFold(a.platforms, p) {
		a.platforms = append(a.platforms, strings.ToLower(p))
	}
	if len(r.cons) == 0 {
		return
	}
	state, ok := parseConsent(str(r.cons))
	if !ok {
		l.malformed++
		rep.IssueCount++
		if len(rep.Issues) < maxIssues {
			rep.Issues = append(rep.Issues, RowIssue{Line: r.line, Column: "consent", Value: string(r.cons),
				Message: "consent must be true or false; counted as unknown"})
		}
		return
	}
	if !a.consentSeen || r.sec >= a.consentSec {
		a.consent, a.consentSec, a.consentSeen = state, r.sec, true
	}
}

func containsFold(xs []string, s string) bool {
	for _, x := range xs {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

var consentWords = []struct {
	word  string
	state omnify.Consent
}{
	{"true", omnify.ConsentGranted}, {"false", omnify.ConsentDenied}, {"granted", omnify.ConsentGranted},
	{"denied", omnify.ConsentDenied}, {"yes", omnify.ConsentGranted}, {"no", omnify.ConsentDenied},
	{"1", omnify.ConsentGranted}, {"0", omnify.ConsentDenied}, {"unknown", omnify.ConsentUnknown},
}

func parseConsent(s string) (omnify.Consent, bool) {
	for _, w := range consentWords {
		if strings.EqualFold(s, w.word) {
			return w.state, true
		}
	}
	return omnify.ConsentUnknown, false
}

// parseDate accepts an ISO 8601 date (fast path) or an RFC 3339 time.
func parseDate(s string) (time.Time, error) {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		y, ok1 := digits(s[0:4])
		m, ok2 := digits(s[5:7])
		d, ok3 := digits(s[8:10])
		if ok1 && ok2 && ok3 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m) {
			return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
		}
		return time.Time{}, errors.New("not a valid YYYY-MM-DD date")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errors.New("want an ISO 8601 date (YYYY-MM-DD) or an RFC 3339 time")
	}
	return t.UTC(), nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func parseAmount(s string) (float64, error) {
	if s == "" {
		return 0, errors.New("empty amount")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errors.New("not a decimal number")
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New("not a finite number")
	}
	if v < 0 {
		return 0, errors.New("negative amount")
	}
	return v, nil
}

// input groups the buffered rows by customer into one shared order array,
// so a run over millions of rows allocates once rather than per customer.
func (l *loader) input(asOf time.Time) *Input {
	counts := make([]int, len(l.accs)+1)
	for _, r := range l.rows {
		counts[r.cust+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	orders := make([]Order, len(l.rows))
	next := append([]int(nil), counts[:len(l.accs)]...)
	for _, r := range l.rows {
		orders[next[r.cust]] = Order{Time: time.Unix(r.sec, int64(r.nsec)).UTC(), Amount: r.amount}
		next[r.cust]++
	}
	l.rows = nil
	in := &Input{AsOf: asOf, Customers: make([]Customer, len(l.accs))}
	for i, a := range l.accs {
		sort.Strings(a.platforms)
		in.Customers[i] = Customer{ID: a.id, Email: a.email, Platforms: a.platforms, Consent: a.consent,
			Orders: orders[counts[i]:counts[i+1]:counts[i+1]]}
	}
	return in
}
