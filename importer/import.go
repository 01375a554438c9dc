package importer

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/connector"
)

// Sink receives the records of an import, as it does those of a sync.
type Sink interface {
	Store(ctx context.Context, orgID, connectionID, platform string, recs []connector.Record) error
}

// Options tunes an Importer. The zero value is ready to use.
type Options struct {
	// MaxErrors caps the problems a report lists; all are counted. Default 100.
	MaxErrors int
	// BatchSize is how many records are stored at a time. Default 20000:
	// each batch rewrites the pages of the customer indexes it touches, so
	// large batches write far less in total.
	BatchSize int
	// Currency is the currency of amounts in files that do not name one.
	// Default "USD".
	Currency string
}

// WithDefaults returns o with zero fields set to their defaults.
func (o Options) WithDefaults() Options {
	if o.MaxErrors <= 0 {
		o.MaxErrors = 100
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 20_000
	}
	if o.Currency == "" {
		o.Currency = "USD"
	}
	return o
}

// Report is the outcome of an import: what the file held and, when it was
// rejected, why. Errors lists the first MaxErrors problems; ErrorCount
// counts them all.
type Report struct {
	Format     Format      `json:"format,omitempty"`
	Rows       int         `json:"rows"`
	Customers  int         `json:"customers"`
	Orders     int         `json:"orders"`
	Errors     []LineError `json:"errors"`
	ErrorCount int         `json:"error_count"`
}

// ErrRejected is returned, wrapping omnify.ErrInvalid, when a file has
// problems; nothing of it was written.
var ErrRejected = fmt.Errorf("import rejected: %w", omnify.ErrInvalid)

// Importer validates and writes import files.
type Importer struct {
	sink Sink
	opts Options
}

// New returns an importer writing to sink.
func New(sink Sink, opts Options) *Importer {
	return &Importer{sink: sink, opts: opts.WithDefaults()}
}

// Import validates the whole file and, only if it has no problem, writes
// it under orgID as import importID. A rejected file returns its report
// with ErrRejected. A failure while writing leaves part of the file
// written; importing the file again completes it without duplicates.
func (im *Importer) Import(ctx context.Context, orgID, importID string, f io.ReadSeeker) (*Report, error) {
	rep, h, err := im.validate(f)
	if err != nil || rep.ErrorCount > 0 {
		return rep, errors.Join(err, rejected(rep))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return rep, fmt.Errorf("import: rewind file: %w", err)
	}
	h.rewind()
	if err := im.write(ctx, orgID, importID, f, h); err != nil {
		return rep, fmt.Errorf("import %s: %w", importID, err)
	}
	return rep, nil
}

func rejected(rep *Report) error {
	if rep.ErrorCount > 0 {
		return ErrRejected
	}
	return nil
}

// validate reads the file once, recording every problem.
func (im *Importer) validate(f io.Reader) (*Report, handler, error) {
	p := &problems{max: im.opts.MaxErrors}
	rep := &Report{}
	defer func() { rep.Errors, rep.ErrorCount = append([]LineError{}, p.list...), p.count }()
	r := newReader(f)
	hdr, le := readHeader(r)
	if le != nil {
		p.addErr(le)
		return rep, nil, nil
	}
	h, le := detect(hdr, im.opts.Currency)
	if le != nil {
		p.addErr(le)
		return rep, nil, nil
	}
	rep.Format = h.format()
	discard := func(connector.Record) {}
	err := eachRow(r, hdr, p, func(row row) error {
		rep.Rows++
		return h.row(row, p, discard)
	})
	if err == nil {
		err = h.end(p, discard)
	}
	if rep.Rows == 0 && p.count == 0 {
		p.add(2, "", "the file has a header but no rows")
	}
	rep.Customers, rep.Orders = h.counts()
	return rep, h, err
}

// write reads the file again and stores its records in batches.
func (im *Importer) write(ctx context.Context, orgID, importID string, f io.Reader, h handler) error {
	r := newReader(f)
	hdr, le := readHeader(r)
	if le != nil {
		return fmt.Errorf("file changed since validation: %s", le.Message)
	}
	p := &problems{max: 1}
	batch := make([]connector.Record, 0, im.opts.BatchSize)
	var storeErr error
	emit := func(rec connector.Record) {
		batch = append(batch, rec)
		if len(batch) >= im.opts.BatchSize && storeErr == nil {
			storeErr = im.sink.Store(ctx, orgID, "import:"+importID, h.platform(), batch)
			batch = batch[:0]
		}
	}
	err := eachRow(r, hdr, p, func(row row) error {
		if err := h.row(row, p, emit); err != nil {
			return err
		}
		return storeErr
	})
	if err == nil {
		err = h.end(p, emit)
	}
	if err = errors.Join(err, storeErr); err != nil {
		return err
	}
	if p.count > 0 {
		return fmt.Errorf("file changed since validation: line %d: %s", p.list[0].Line, p.list[0].Message)
	}
	if len(batch) > 0 {
		return im.sink.Store(ctx, orgID, "import:"+importID, h.platform(), batch)
	}
	return nil
}
