package main

import (
	"context"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/auth"
)

// AdminCmd holds operator tasks run against the data dir directly.
type AdminCmd struct {
	AddMember AdminAddMemberCmd `cmd:"" name:"add-member" help:"Add an existing user to an organisation with a role."`
	Orgs      AdminOrgsCmd      `cmd:"" help:"List the organisations a user belongs to."`
}

// AdminAddMemberCmd adds a member without going through the API.
type AdminAddMemberCmd struct {
	Common
	Email string `name:"email" required:"" help:"The user's email."`
	OrgID string `name:"org-id" required:"" help:"The organisation's ID."`
	Role  string `name:"role" default:"viewer" help:"owner, admin, analyst or viewer."`
}

// Run adds the membership.
func (c *AdminAddMemberCmd) Run() error {
	role := omnify.Role(c.Role)
	if !role.Valid() {
		return fmt.Errorf("--role must be owner, admin, analyst or viewer, not %q", c.Role)
	}
	email, err := auth.NormalizeEmail(c.Email)
	if err != nil {
		return fmt.Errorf("--email: %w", err)
	}
	db, err := c.open()
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	u, err := db.GetUserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("user %s: %w", email, err)
	}
	if _, err := db.GetOrg(ctx, c.OrgID); err != nil {
		return fmt.Errorf("org %s: %w", c.OrgID, err)
	}
	if err := db.AddMember(ctx, &omnify.Membership{OrgID: c.OrgID, UserID: u.ID, Role: role}); err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	fmt.Printf("%s is now %s of %s\n", email, role, c.OrgID)
	return nil
}

// AdminOrgsCmd lists a user's organisations.
type AdminOrgsCmd struct {
	Common
	Email string `name:"email" required:"" help:"The user's email."`
}

// Run prints one line per membership.
func (c *AdminOrgsCmd) Run() error {
	email, err := auth.NormalizeEmail(c.Email)
	if err != nil {
		return fmt.Errorf("--email: %w", err)
	}
	db, err := c.open()
	if err != nil {
		return err
	}
	defer db.Close()
	ctx := context.Background()
	u, err := db.GetUserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("user %s: %w", email, err)
	}
	ms, err := db.ListUserMemberships(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		o, err := db.GetOrg(ctx, m.OrgID)
		if err != nil {
			return err
		}
		fmt.Printf("%s\t%s\t%s\n", o.ID, m.Role, o.Name)
	}
	return nil
}
