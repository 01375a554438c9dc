package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/store"
)

const auditCols = `id, org_id, actor_id, action, target, ip, user_agent, request_id, details, created_at`

// AppendAudit stores e, assigning an ID and time when they are empty.
func (db *DB) AppendAudit(ctx context.Context, e *omnify.AuditEvent) error {
	if e.ID == "" {
		e.ID = newID()
	}
	e.CreatedAt = db.stamp(e.CreatedAt)
	_, err := db.write.ExecContext(ctx, `INSERT INTO audit_events (`+auditCols+`) VALUES (`+placeholders(10)+`)`,
		e.ID, e.OrgID, e.ActorID, e.Action, e.Target, e.IP, e.UserAgent, e.RequestID, mapJSON(e.Details),
		micro(e.CreatedAt))
	return wrap("append audit", err)
}

// ListAudit lists an org's events newest first, Since ≤ CreatedAt < Until.
func (db *DB) ListAudit(ctx context.Context, orgID string, f store.AuditFilter, p store.Page) ([]omnify.AuditEvent, string, error) {
	p = p.Norm()
	c, after, err := store.DecodeCursor(p)
	if err != nil {
		return nil, "", fmt.Errorf("list audit: %w", err)
	}
	w := auditConds(orgID, f)
	if after {
		w.add("(created_at, id) < (?, ?)", c.T, c.S)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_events`+w.where()+
		` ORDER BY created_at DESC, id DESC LIMIT ?`, append(w.args, p.Limit+1)...)
	if err != nil {
		return nil, "", wrap("list audit", err)
	}
	es, next, err := collect(rows, p.Limit, scanAudit, func(e omnify.AuditEvent) cursor {
		return cursor{T: micro(e.CreatedAt), S: e.ID}
	})
	return es, next, wrap("list audit", err)
}

func auditConds(orgID string, f store.AuditFilter) *conds {
	w := &conds{}
	w.add("org_id = ?", orgID)
	if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if f.ActorID != "" {
		w.add("actor_id = ?", f.ActorID)
	}
	if !f.Since.IsZero() {
		w.add("created_at >= ?", micro(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("created_at < ?", micro(f.Until))
	}
	return w
}

func scanAudit(row scanner) (omnify.AuditEvent, error) {
	var e omnify.AuditEvent
	var details sql.NullString
	var created int64
	err := row.Scan(&e.ID, &e.OrgID, &e.ActorID, &e.Action, &e.Target, &e.IP, &e.UserAgent, &e.RequestID,
		&details, &created)
	if err != nil {
		return e, err
	}
	e.CreatedAt = fromMicro(created)
	e.Details, err = fromMapJSON(details)
	return e, err
}
