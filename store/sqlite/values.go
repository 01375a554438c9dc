package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/omnify-cloud/omnify/store"
)

// Times are stored as unix microseconds: integers sort correctly, compare
// cheaply in keyset cursors, and keep the precision the store promises.
var zeroMicro = time.Time{}.UnixMicro()

func micro(t time.Time) int64 { return t.UnixMicro() }

func fromMicro(v int64) time.Time {
	if v == zeroMicro {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func nullMicro(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micro(*t), Valid: true}
}

func fromNullMicro(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicro(v.Int64)
	return &t
}

// rawJSON stores an empty document as NULL.
func rawJSON(m json.RawMessage) sql.NullString {
	if len(m) == 0 {
		return sql.NullString{}
	}
	return sql.NullString{String: string(m), Valid: true}
}

func fromRawJSON(v sql.NullString) json.RawMessage {
	if !v.Valid || v.String == "" {
		return nil
	}
	return json.RawMessage(v.String)
}

// stringsJSON stores a list as a JSON array, "[]" when empty, so that
// json_each can filter on it.
func stringsJSON(ss []string) string {
	if len(ss) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ss) // a []string always marshals
	return string(b)
}

func fromStringsJSON(s string) ([]string, error) {
	var ss []string
	if err := json.Unmarshal([]byte(s), &ss); err != nil {
		return nil, fmt.Errorf("decode string list: %w", err)
	}
	if len(ss) == 0 {
		return nil, nil
	}
	return ss, nil
}

func mapJSON(m map[string]string) sql.NullString {
	if len(m) == 0 {
		return sql.NullString{}
	}
	b, _ := json.Marshal(m) // a map[string]string always marshals
	return sql.NullString{String: string(b), Valid: true}
}

func fromMapJSON(v sql.NullString) (map[string]string, error) {
	if !v.Valid {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v.String), &m); err != nil {
		return nil, fmt.Errorf("decode map: %w", err)
	}
	return m, nil
}

// cursor is the shared keyset cursor.
type cursor = store.Cursor

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// collect reads up to limit records from rows and the cursor of the next
// page, which exists when the query (asked for limit+1 rows) returned more.
func collect[T any](rows *sql.Rows, limit int, scan func(scanner) (T, error), key func(T) cursor) ([]T, string, error) {
	defer rows.Close()
	var out []T
	more := false
	for rows.Next() {
		if len(out) == limit {
			more = true
			break
		}
		v, err := scan(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	if !more {
		return out, "", nil
	}
	return out, key(out[len(out)-1]).Encode(), nil
}
