package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api/middleware"
	"github.com/omnify-cloud/omnify/importer"
)

// FileImporter validates an import file and, when it is clean, writes it.
// A rejected file returns its report with an error wrapping
// omnify.ErrInvalid.
type FileImporter interface {
	Import(ctx context.Context, orgID, importID string, f io.ReadSeeker) (*importer.Report, error)
}

// DefaultImportLimit is the default largest import file: 100 MiB.
const DefaultImportLimit = 100 << 20

// importPath is the one route whose body may exceed Config.BodyLimit.
const importPath = "/v1/imports"

// ImportResult is the outcome of an import. A rejected file (422) lists
// its first problems with their line numbers and writes nothing.
type ImportResult struct {
	ImportID   string               `json:"import_id,omitempty"`
	Format     string               `json:"format,omitempty" enum:"transactions,shopify_customers,shopify_orders"`
	Rows       int                  `json:"rows"`
	Customers  int                  `json:"customers"`
	Orders     int                  `json:"orders"`
	Errors     []importer.LineError `json:"errors"`
	ErrorCount int                  `json:"error_count"`
}

type importInput struct {
	req *http.Request
}

// Resolve keeps the request so the handler can stream the upload itself
// instead of letting the framework buffer the whole form.
func (in *importInput) Resolve(ctx huma.Context) []error {
	in.req, _ = humago.Unwrap(ctx)
	return nil
}

type importOutput struct {
	Status int
	Body   ImportResult
}

func (s *Server) registerImports() {
	Register(s, huma.Operation{OperationID: "imports.create", Method: http.MethodPost, Path: importPath,
		Summary: "Import a CSV of transactions, or a Shopify customer or order export",
		Description: "Send the file as the `file` part of a multipart/form-data body. The format is recognised by " +
			"its header. The whole file is validated before anything is written: a file with problems is answered " +
			"with 422 and its line-numbered problems, and nothing of it is stored.",
		Tags: []string{"Imports"}, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity},
	}, s.createImport)
	// Documented after registering: a request body declared on the
	// operation would make the framework read the whole upload itself.
	item := s.api.OpenAPI().Paths[importPath]
	if item == nil || item.Post == nil {
		return
	}
	item.Post.RequestBody = &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
		"multipart/form-data": {Schema: &huma.Schema{Type: "object", Required: []string{"file"},
			Properties: map[string]*huma.Schema{"file": {Type: "string", Format: "binary"}}}},
	}}
	if r := item.Post.Responses["422"]; r != nil {
		result := s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeOf(ImportResult{}), true, "ImportResult")
		r.Description = "The file was rejected: its line-numbered problems (application/json), nothing written; " +
			"or a problem (application/problem+json) when the request is not a multipart upload with a file part."
		if r.Content == nil {
			r.Content = map[string]*huma.MediaType{}
		}
		r.Content["application/json"] = &huma.MediaType{Schema: result}
	}
}

func (s *Server) createImport(ctx context.Context, in *importInput) (*importOutput, error) {
	a, err := mustAuth(ctx)
	if err != nil {
		return nil, err
	}
	part, err := filePart(in.req)
	if err != nil {
		return nil, err
	}
	if s.deps.Imports == nil {
		return nil, fail(omnify.ErrUnavailable, "imports are not enabled on this server")
	}
	f, err := s.spool(part)
	if err != nil {
		return nil, err
	}
	defer func() {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}()
	id := s.deps.NewID()
	rep, err := s.deps.Imports.Import(ctx, a.OrgID, id, f)
	if rep == nil {
		rep = &importer.Report{}
	}
	out := &importOutput{Status: http.StatusCreated, Body: ImportResult{ImportID: id, Format: string(rep.Format),
		Rows: rep.Rows, Customers: rep.Customers, Orders: rep.Orders, Errors: rep.Errors, ErrorCount: rep.ErrorCount}}
	if out.Body.Errors == nil {
		out.Body.Errors = []importer.LineError{}
	}
	switch {
	case errors.Is(err, omnify.ErrInvalid) && rep.ErrorCount > 0:
		out.Status, out.Body.ImportID = http.StatusUnprocessableEntity, ""
		return out, nil
	case err != nil:
		return nil, fmt.Errorf("import: %w", err)
	}
	auditOf(ctx).Target = "import:" + id
	return out, nil
}

// filePart returns the upload's "file" part, reading nothing past it.
func filePart(r *http.Request) (*multipart.Part, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, omnify.Invalid("body", "send the file as multipart/form-data with a part named file")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, omnify.Invalid("body", "malformed multipart body")
	}
	for {
		p, err := mr.NextPart()
		switch {
		case errors.Is(err, io.EOF):
			return nil, omnify.Invalid("body.file", "the multipart body has no part named file")
		case middleware.IsTooLarge(err):
			return nil, tooLarge()
		case err != nil:
			return nil, omnify.Invalid("body", "malformed multipart body")
		case p.FormName() == "file":
			return p, nil
		}
	}
}

// spool copies the upload to a temporary file, refusing it past the limit.
func (s *Server) spool(part io.Reader) (*os.File, error) {
	f, err := os.CreateTemp("", "omnify-import-*.csv")
	if err != nil {
		return nil, fmt.Errorf("import: temp file: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(part, s.cfg.ImportLimit+1))
	if err == nil && n > s.cfg.ImportLimit {
		err = tooLarge()
	} else if middleware.IsTooLarge(err) {
		err = tooLarge()
	} else if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	} else {
		err = omnify.Invalid("body.file", "the upload was cut short")
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

func tooLarge() error {
	return huma.NewError(http.StatusRequestEntityTooLarge, "the file is larger than this server accepts")
}

// bodyLimit caps request bodies: the import route at the import limit plus
// room for the multipart framing, everything else at Config.BodyLimit.
func (s *Server) bodyLimit() func(http.Handler) http.Handler {
	small := middleware.BodyLimit(s.cfg.BodyLimit)
	large := middleware.BodyLimit(s.cfg.ImportLimit + 64<<10)
	return func(next http.Handler) http.Handler {
		sh, lh := small(next), large(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == importPath {
				lh.ServeHTTP(w, r)
				return
			}
			sh.ServeHTTP(w, r)
		})
	}
}
