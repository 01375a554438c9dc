package omnify

import (
	"errors"
	"fmt"
)

// Error kinds. Packages wrap them with context (fmt.Errorf("create user: %w",
// omnify.ErrConflict)); the HTTP layer maps each kind to one status code in a
// single table, and users never see the wrapped internal text of an internal
// error.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrInvalid      = errors.New("invalid input")
	ErrForbidden    = errors.New("forbidden")
	ErrUnauthorized = errors.New("unauthorized")
	ErrTooMany      = errors.New("too many requests")
	ErrUnavailable  = errors.New("unavailable")
)

// FieldError says which input field is at fault and why. It wraps ErrInvalid
// so callers can test for the kind with errors.Is.
type FieldError struct {
	Field   string // JSON-pointer-like location, e.g. "body.email"
	Message string
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Message) }

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Invalid returns a FieldError for field.
func Invalid(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}
