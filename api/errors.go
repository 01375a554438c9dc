package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/api/middleware"
)

// kinds is the one table from an error kind to its HTTP status and the
// detail users see when the error carries no public message. Malformed JSON
// (400) and schema violations (422) are answered by huma before a handler
// runs; anything not in this table is a 500 whose text is only logged.
var kinds = []struct {
	kind   error
	status int
	detail string
}{
	{omnify.ErrNotFound, http.StatusNotFound, "resource not found"},
	{omnify.ErrConflict, http.StatusConflict, "conflicts with the current state"},
	{omnify.ErrInvalid, http.StatusUnprocessableEntity, "invalid input"},
	{omnify.ErrUnauthorized, http.StatusUnauthorized, "authentication required"},
	{omnify.ErrForbidden, http.StatusForbidden, "your role does not allow this"},
	{omnify.ErrTooMany, http.StatusTooManyRequests, "too many requests, retry later"},
	{omnify.ErrUnavailable, http.StatusServiceUnavailable, "temporarily unavailable, retry later"},
}

// statusOf returns the status of err's kind and its default public detail.
func statusOf(err error) (int, string) {
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			return k.status, k.detail
		}
	}
	return http.StatusInternalServerError, "internal error"
}

// publicError is an error of a kind with a message safe to show users.
type publicError struct {
	kind       error
	msg        string
	retryAfter time.Duration
}

func (e *publicError) Error() string { return e.msg }
func (e *publicError) Unwrap() error { return e.kind }

// fail returns an error of kind whose message users see.
func fail(kind error, msg string) error { return &publicError{kind: kind, msg: msg} }

// tooMany returns a 429 error telling the client when to retry.
func tooMany(msg string, retryAfter time.Duration) error {
	return &publicError{kind: omnify.ErrTooMany, msg: msg, retryAfter: retryAfter}
}

// toHTTP turns a handler's error into the problem users get, logging
// internal errors with the request ID so an operator can find them.
func (s *Server) toHTTP(ctx context.Context, err error) error {
	var se huma.StatusError
	if errors.As(err, &se) {
		return err
	}
	status, detail := statusOf(err)
	var fe *omnify.FieldError
	var pe *publicError
	switch {
	case errors.As(err, &fe):
		return huma.NewError(status, "validation failed", &huma.ErrorDetail{Location: fe.Field, Message: fe.Message})
	case errors.As(err, &pe):
		detail = pe.msg
	case status >= 500:
		s.logInternal(ctx, err)
	}
	out := huma.NewError(status, detail)
	if pe != nil && pe.retryAfter > 0 {
		return huma.ErrorWithHeaders(out, http.Header{"Retry-After": {retryAfterSeconds(pe.retryAfter)}})
	}
	return out
}

// logInternal logs an error users only see as a bare 5xx.
func (s *Server) logInternal(ctx context.Context, err error) {
	s.deps.Logger.ErrorContext(ctx, "request failed",
		slog.String("request_id", middleware.RequestIDFrom(ctx)), slog.Any("error", err))
}

func (s *Server) logIfErr(ctx context.Context, err error) {
	if err != nil {
		s.logInternal(ctx, err)
	}
}

// retryAfterSeconds rounds up so a client never retries too early.
func retryAfterSeconds(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	return strconv.Itoa(max(secs, 1))
}

var errorModelOnce sync.Once

// installErrorModel makes huma's problems safe: a 5xx never carries the
// internal error's text, and a body cut short by the middleware's size
// limit is a 413, not a read failure.
func installErrorModel() {
	errorModelOnce.Do(func() {
		base := huma.NewError
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			for _, e := range errs {
				if e != nil && middleware.IsTooLarge(e) {
					return base(http.StatusRequestEntityTooLarge, "request body is too large")
				}
			}
			if status >= 500 {
				return base(status, http.StatusText(status))
			}
			out := base(status, msg, errs...)
			if m, ok := out.(*huma.ErrorModel); ok {
				// Never echo input back: it may be a password.
				for _, d := range m.Errors {
					if d != nil {
						d.Value = nil
					}
				}
			}
			return out
		}
	})
}

// pageError places the store's complaint about a page cursor on the
// listing's query parameter.
func pageError(err error) error {
	var fe *omnify.FieldError
	if errors.As(err, &fe) && fe.Field == "after" {
		return omnify.Invalid("query.after", "%s", fe.Message)
	}
	return err
}

func isNotFound(err error) bool { return errors.Is(err, omnify.ErrNotFound) }
