package sqlite

import (
	"context"
	"database/sql"

	"github.com/omnify-cloud/omnify"
)

// CreateAccount stores the user, the org and the owner membership in one
// transaction.
func (db *DB) CreateAccount(ctx context.Context, u *omnify.User, o *omnify.Org) error {
	nu, no := *u, *o
	if nu.ID == "" {
		nu.ID = newID()
	}
	if no.ID == "" {
		no.ID = newID()
	}
	nu.CreatedAt, no.CreatedAt = db.stamp(nu.CreatedAt), db.stamp(no.CreatedAt)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?)`,
			nu.ID, nu.Email, nu.PasswordHash, micro(nu.CreatedAt)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, name, created_at) VALUES (?, ?, ?)`,
			no.ID, no.Name, micro(no.CreatedAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (`+memberCols+`) VALUES (?, ?, ?, ?)`,
			no.ID, nu.ID, string(omnify.RoleOwner), micro(nu.CreatedAt))
		return err
	})
	if err != nil {
		return wrap("create account", err)
	}
	*u, *o = nu, no
	return nil
}
