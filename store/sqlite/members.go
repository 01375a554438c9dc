package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const memberCols = `org_id, user_id, role, created_at`

// AddMember stores m. A user already in the org is ErrConflict; an unknown
// org or user is ErrNotFound.
func (db *DB) AddMember(ctx context.Context, m *omnify.Membership) error {
	if !m.Role.Valid() {
		return fmt.Errorf("add member: %w", omnify.Invalid("role", "unknown role %q", m.Role))
	}
	m.CreatedAt = db.stamp(m.CreatedAt)
	_, err := db.write.ExecContext(ctx, `INSERT INTO memberships (`+memberCols+`) VALUES (?, ?, ?, ?)`,
		m.OrgID, m.UserID, string(m.Role), micro(m.CreatedAt))
	return wrap("add member", err)
}

// GetMembership returns the user's membership of the org.
func (db *DB) GetMembership(ctx context.Context, orgID, userID string) (*omnify.Membership, error) {
	row := db.readRow(ctx,
		`SELECT `+memberCols+` FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID)
	m, err := scanMember(row)
	if err != nil {
		return nil, wrap("get membership", err)
	}
	return &m, nil
}

// ListMembers lists an org's members by join time, then user ID.
func (db *DB) ListMembers(ctx context.Context, orgID string, p store.Page) ([]omnify.Membership, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list members: %w", err)
	}
	var w conds
	w.add("org_id = ?", orgID)
	if after {
		w.add("(created_at, user_id) > (?, ?)", c.T, c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+memberCols+` FROM memberships`+w.where()+
		` ORDER BY created_at, user_id LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list members", err)
	}
	ms, next, err := collect(rows, p.Limit, scanMember, func(m omnify.Membership) cursor {
		return cursor{T: micro(m.CreatedAt), S: m.UserID}
	})
	return ms, next, wrap("list members", err)
}

// ListUserMemberships lists every org the user belongs to, by join time.
func (db *DB) ListUserMemberships(ctx context.Context, userID string) ([]omnify.Membership, error) {
	rows, err := db.readRows(ctx, `SELECT `+memberCols+` FROM memberships WHERE user_id = ?
		ORDER BY created_at, org_id`, userID)
	if err != nil {
		return nil, wrap("list user memberships", err)
	}
	ms, _, err := collect(rows, -1, scanMember, nil)
	return ms, wrap("list user memberships", err)
}

func scanMember(row scanner) (omnify.Membership, error) {
	var m omnify.Membership
	var role string
	var created int64
	if err := row.Scan(&m.OrgID, &m.UserID, &role, &created); err != nil {
		return m, err
	}
	m.Role, m.CreatedAt = omnify.Role(role), fromMicro(created)
	return m, nil
}

// SetRole changes a member's role, refusing (ErrConflict) to demote the
// org's last owner.
func (db *DB) SetRole(ctx context.Context, orgID, userID string, role omnify.Role) error {
	if !role.Valid() {
		return fmt.Errorf("set role: %w", omnify.Invalid("role", "unknown role %q", role))
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if role != omnify.RoleOwner {
			if err := guardLastOwner(ctx, tx, orgID, userID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE memberships SET role = ? WHERE org_id = ? AND user_id = ?`,
			string(role), orgID, userID)
		return mustAffect(res, err)
	})
	return wrap("set role", err)
}

// RemoveMember removes a member, refusing (ErrConflict) to remove the org's
// last owner.
func (db *DB) RemoveMember(ctx context.Context, orgID, userID string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := guardLastOwner(ctx, tx, orgID, userID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID)
		return mustAffect(res, err)
	})
	return wrap("remove member", err)
}

// guardLastOwner fails when userID is a member and the org's only owner.
// It runs inside the write transaction, so no other change can slip between
// the count and the caller's update.
func guardLastOwner(ctx context.Context, tx *sql.Tx, orgID, userID string) error {
	var role string
	err := tx.QueryRowContext(ctx, `SELECT role FROM memberships WHERE org_id = ? AND user_id = ?`,
		orgID, userID).Scan(&role)
	if err != nil {
		return err
	}
	if omnify.Role(role) != omnify.RoleOwner {
		return nil
	}
	var owners int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = ? AND role = ?`,
		orgID, string(omnify.RoleOwner)).Scan(&owners)
	if err != nil {
		return err
	}
	if owners <= 1 {
		return fmt.Errorf("org would have no owner: %w", omnify.ErrConflict)
	}
	return nil
}
