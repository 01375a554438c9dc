package eyes

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// chunkSize is how many bytes of whole lines one parsing task gets.
const chunkSize = 4 << 20

// chunk is a run of whole lines parsed by one worker; the merger consumes
// chunks in file order, so the first bad line in the file is the one
// reported and customers keep their first-seen order.
type chunk struct {
	data      []byte
	firstLine int
	readErr   error
	rows      []parsedRow
	err       error // first bad line of this chunk; rows stop before it
	done      chan struct{}
}

// parsedRow is one data row with its slow parts (date, amount) parsed; the
// text fields still point into the chunk.
type parsedRow struct {
	line                      int
	id, email, platform, cons []byte
	sec                       int64
	nsec                      int32
	amount                    float64
	after                     bool // dated after as-of
}

// readHeader reads and parses the header line.
func readHeader(br *bufio.Reader) (columns, []string, error) {
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return columns{}, nil, fmt.Errorf("read header: %w", err)
	}
	if strings.TrimSpace(line) == "" {
		return columns{}, nil, badInput("empty file: no header row")
	}
	rec, perr := csv.NewReader(strings.NewReader(line)).Read()
	if perr != nil {
		return columns{}, nil, badInput("line 1: header: %v", perr)
	}
	return parseHeader(rec)
}

// parseChunks streams the data lines of br through parallel parsers and
// hands each chunk, in order, to merge.
func parseChunks(br *bufio.Reader, cols columns, cutoff time.Time, merge func(*chunk) error) error {
	workers := max(1, runtime.GOMAXPROCS(0))
	todo := make(chan *chunk, workers)
	order := make(chan *chunk, 2*workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range todo {
				c.parse(cols, cutoff)
				close(c.done)
			}
		}()
	}
	go produceChunks(br, todo, order, stop)
	var err error
	for c := range order {
		<-c.done
		if err == nil {
			err = merge(c)
			if err != nil {
				close(stop)
			}
		}
	}
	wg.Wait()
	return err
}

func produceChunks(br *bufio.Reader, todo, order chan<- *chunk, stop <-chan struct{}) {
	defer close(order)
	defer close(todo)
	line := 2
	var carry []byte
	for {
		buf := make([]byte, len(carry), chunkSize+len(carry))
		copy(buf, carry)
		n, err := io.ReadFull(br, buf[len(carry):cap(buf)])
		buf = buf[:len(carry)+n]
		end := len(buf)
		last := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if !last && err == nil {
			end = bytes.LastIndexByte(buf, '\n') + 1
		}
		c := &chunk{data: buf[:end], firstLine: line, done: make(chan struct{})}
		if err != nil && !last {
			c.readErr = err
		}
		carry = append(carry[:0:0], buf[end:]...)
		line += bytes.Count(c.data, []byte{'\n'})
		select {
		case <-stop:
			return
		case order <- c:
		}
		todo <- c
		if last || c.readErr != nil {
			return
		}
	}
}

// parse splits the chunk into rows, stopping at the first bad one.
func (c *chunk) parse(cols columns, cutoff time.Time) {
	if c.readErr != nil {
		return
	}
	fields := make([][]byte, 0, 16)
	line := c.firstLine
	for data := c.data; len(data) > 0; line++ {
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		l = bytes.TrimSuffix(l, []byte{'\r'})
		if len(l) == 0 {
			continue
		}
		var err error
		fields, err = splitFields(l, fields[:0])
		if err != nil {
			c.err = badInput("line %d: %v", line, err)
			return
		}
		row, err := parseRow(fields, cols, cutoff, line)
		if err != nil {
			c.err = err
			return
		}
		c.rows = append(c.rows, row)
	}
}

// splitFields splits one CSV line; lines with quotes go through
// encoding/csv, the rest are split on commas without copying.
func splitFields(l []byte, dst [][]byte) ([][]byte, error) {
	if bytes.IndexByte(l, '"') < 0 {
		for {
			i := bytes.IndexByte(l, ',')
			if i < 0 {
				return append(dst, l), nil
			}
			dst, l = append(dst, l[:i]), l[i+1:]
		}
	}
	rec, err := csv.NewReader(bytes.NewReader(l)).Read()
	if err != nil {
		return dst, err
	}
	for _, f := range rec {
		dst = append(dst, []byte(f))
	}
	return dst, nil
}

func fieldB(fs [][]byte, i int) []byte {
	if i < 0 || i >= len(fs) {
		return nil
	}
	return bytes.TrimSpace(fs[i])
}

// str views b as a string without copying, for parsing only: the result
// must not outlive b's next change.
func str(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func parseRow(fs [][]byte, cols columns, cutoff time.Time, line int) (parsedRow, error) {
	r := parsedRow{line: line, id: fieldB(fs, cols.id), email: fieldB(fs, cols.email),
		platform: fieldB(fs, cols.platform), cons: fieldB(fs, cols.consent)}
	if len(r.id) == 0 {
		return r, badInput("line %d: empty customer_id", line)
	}
	ds, as := fieldB(fs, cols.date), fieldB(fs, cols.amount)
	t, err := parseDate(str(ds))
	if err != nil {
		return r, badInput("line %d: order_date %q: %v", line, ds, err)
	}
	amt, err := parseAmount(str(as))
	if err != nil {
		return r, badInput("line %d: amount %q: %v", line, as, err)
	}
	r.sec, r.nsec, r.amount, r.after = t.Unix(), int32(t.Nanosecond()), amt, !t.Before(cutoff)
	return r, nil
}
