package sqlite

import (
	"context"

	"github.com/omnify-cloud/omnify"
)

const userCols = `id, email, password_hash, created_at`

// CreateUser stores u, assigning an ID and creation time when they are
// empty. An email already in use is ErrConflict.
func (db *DB) CreateUser(ctx context.Context, u *omnify.User) error {
	if u.ID == "" {
		u.ID = newID()
	}
	u.CreatedAt = db.stamp(u.CreatedAt)
	_, err := db.write.ExecContext(ctx, `INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?)`,
		u.ID, u.Email, u.PasswordHash, micro(u.CreatedAt))
	return wrap("create user", err)
}

// GetUser returns the user with id.
func (db *DB) GetUser(ctx context.Context, id string) (*omnify.User, error) {
	u, err := scanUser(db.readRow(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
	return u, wrap("get user", err)
}

// GetUserByEmail returns the user with the given (normalised) email.
func (db *DB) GetUserByEmail(ctx context.Context, email string) (*omnify.User, error) {
	u, err := scanUser(db.readRow(ctx, `SELECT `+userCols+` FROM users WHERE email = ?`, email))
	return u, wrap("get user by email", err)
}

func scanUser(row scanner) (*omnify.User, error) {
	var u omnify.User
	var created int64
	if err := row.Scan(&u.ID, &u.Email, &u.PasswordHash, &created); err != nil {
		return nil, err
	}
	u.CreatedAt = fromMicro(created)
	return &u, nil
}
