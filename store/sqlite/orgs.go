package sqlite

import (
	"context"
	"fmt"

	"github.com/omnify-cloud/omnify"
)

// CreateOrg stores o, assigning an ID and creation time when they are empty.
func (db *DB) CreateOrg(ctx context.Context, o *omnify.Org) error {
	if o.ID == "" {
		o.ID = newID()
	}
	o.CreatedAt = db.stamp(o.CreatedAt)
	b := o.Branding
	_, err := db.write.ExecContext(ctx, `INSERT INTO orgs (id, name, created_at, display_name, primary_color, logo_url)
		VALUES (?, ?, ?, ?, ?, ?)`, o.ID, o.Name, micro(o.CreatedAt), b.DisplayName, b.PrimaryColor, b.LogoURL)
	return wrap("create org", err)
}

// GetOrg returns the org with id.
func (db *DB) GetOrg(ctx context.Context, id string) (*omnify.Org, error) {
	var o omnify.Org
	var created int64
	b := &o.Branding
	err := db.readRow(ctx, `SELECT id, name, created_at, display_name, primary_color, logo_url FROM orgs WHERE id = ?`, id).
		Scan(&o.ID, &o.Name, &created, &b.DisplayName, &b.PrimaryColor, &b.LogoURL)
	if err != nil {
		return nil, wrap("get org", err)
	}
	o.CreatedAt = fromMicro(created)
	return &o, nil
}

// UpdateOrg changes an org's name and branding.
func (db *DB) UpdateOrg(ctx context.Context, o *omnify.Org) error {
	b := o.Branding
	res, err := db.write.ExecContext(ctx, `UPDATE orgs SET name = ?, display_name = ?, primary_color = ?, logo_url = ?
		WHERE id = ?`, o.Name, b.DisplayName, b.PrimaryColor, b.LogoURL, o.ID)
	return wrap("update org", mustAffect(res, err))
}

// mustAffect turns an update that matched no row into ErrNotFound.
func mustAffect(res interface{ RowsAffected() (int64, error) }, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("no such record: %w", omnify.ErrNotFound)
	}
	return nil
}
