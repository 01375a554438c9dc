package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// LineError is one problem of an import file. Line is the 1-based line of
// the file (the header is line 1); Column names the header column, if the
// problem is in one.
type LineError struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// header maps column names to their index.
type header struct {
	names []string
	index map[string]int
}

// readHeader reads the first row. A UTF-8 byte order mark (which
// spreadsheet exports add) is dropped and names are trimmed.
func readHeader(r *csv.Reader) (*header, *LineError) {
	row, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, &LineError{Line: 1, Message: "the file is empty: a header row is required"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	h := &header{index: map[string]int{}}
	for i, name := range row {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		if _, dup := h.index[name]; dup {
			return nil, &LineError{Line: 1, Column: name, Message: "the column appears twice in the header"}
		}
		h.index[name] = i
		h.names = append(h.names, name)
	}
	return h, nil
}

func (h *header) has(name string) bool {
	_, ok := h.index[name]
	return ok
}

// row is one data row of the file.
type row struct {
	line   int
	fields []string
	h      *header
}

// get returns a column's trimmed value, "" when the column is absent.
func (r row) get(col string) string {
	i, ok := r.h.index[col]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// newReader returns a CSV reader that tolerates rows of uneven length (the
// caller checks them) and reuses nothing between rows.
func newReader(f io.Reader) *csv.Reader {
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	return r
}

// problems collects line errors, keeping the first max of them.
type problems struct {
	list  []LineError
	count int
	max   int
}

func (p *problems) add(line int, col, format string, args ...any) {
	p.count++
	if len(p.list) < p.max {
		p.list = append(p.list, LineError{Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
	}
}

func (p *problems) addErr(e *LineError) {
	p.add(e.Line, e.Column, "%s", e.Message)
}

// eachRow calls fn for every data row with as many fields as the header;
// other rows are problems. A malformed CSV line stops the reading, since
// the lines after it cannot be trusted. fn's error aborts and is returned.
func eachRow(r *csv.Reader, h *header, p *problems, fn func(row) error) error {
	for {
		fields, err := r.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			p.addErr(csvError(err))
			return nil
		}
		line, _ := r.FieldPos(0)
		if len(fields) != len(h.names) {
			p.add(line, "", "has %d fields, the header has %d", len(fields), len(h.names))
			continue
		}
		if err := fn(row{line: line, fields: fields, h: h}); err != nil {
			return err
		}
	}
}

func csvError(err error) *LineError {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &LineError{Line: pe.StartLine, Message: "malformed CSV: " + pe.Err.Error()}
	}
	return &LineError{Line: 0, Message: "cannot read the file: " + err.Error()}
}
