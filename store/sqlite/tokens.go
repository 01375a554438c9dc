package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/omnify-cloud/omnify"
)

const tokenCols = `id, family_id, user_id, org_id, token_hash, created_at, expires_at, used_at, revoked_at`

// CreateRefreshToken stores t, assigning an ID and creation time when they
// are empty. A reused ID or hash is ErrConflict.
func (db *DB) CreateRefreshToken(ctx context.Context, t *omnify.RefreshToken) error {
	if t.ID == "" {
		t.ID = newID()
	}
	t.CreatedAt = db.stamp(t.CreatedAt)
	_, err := db.write.ExecContext(ctx, `INSERT INTO refresh_tokens (`+tokenCols+`) VALUES (`+placeholders(9)+`)`,
		t.ID, t.FamilyID, t.UserID, t.OrgID, t.TokenHash, micro(t.CreatedAt), micro(t.ExpiresAt),
		nullMicro(t.UsedAt), nullMicro(t.RevokedAt))
	return wrap("create refresh token", err)
}

// UseRefreshToken marks the token used in one conditional update, so of two
// concurrent uses exactly one wins; the loser gets the token and
// ErrConflict.
func (db *DB) UseRefreshToken(ctx context.Context, tokenHash string, now time.Time) (*omnify.RefreshToken, error) {
	row := db.write.QueryRowContext(ctx, `UPDATE refresh_tokens SET used_at = ?
		WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL RETURNING `+tokenCols,
		micro(now), tokenHash)
	t, err := scanToken(row)
	if err == nil {
		return t, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, wrap("use refresh token", err)
	}
	t, err = scanToken(db.write.QueryRowContext(ctx,
		`SELECT `+tokenCols+` FROM refresh_tokens WHERE token_hash = ?`, tokenHash))
	if err != nil {
		return nil, wrap("use refresh token", err)
	}
	return t, fmt.Errorf("use refresh token: already used or revoked: %w", omnify.ErrConflict)
}

// RevokeFamily revokes every not yet revoked token of the family.
func (db *DB) RevokeFamily(ctx context.Context, familyID string, now time.Time) error {
	_, err := db.write.ExecContext(ctx,
		`UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL`, micro(now), familyID)
	return wrap("revoke token family", err)
}

func scanToken(row scanner) (*omnify.RefreshToken, error) {
	var t omnify.RefreshToken
	var created, expires int64
	var used, revoked sql.NullInt64
	err := row.Scan(&t.ID, &t.FamilyID, &t.UserID, &t.OrgID, &t.TokenHash, &created, &expires, &used, &revoked)
	if err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt = fromMicro(created), fromMicro(expires)
	t.UsedAt, t.RevokedAt = fromNullMicro(used), fromNullMicro(revoked)
	return &t, nil
}
