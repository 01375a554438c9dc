// Package store defines how OmniFy persists its domain: one interface per
// entity, composed into Store. Backends live in subpackages (store/sqlite,
// later store/mongo) and must all pass the one conformance suite in
// store/storetest. Nothing here is SQL-shaped: a document store fits it too.
//
// Every org-scoped method takes the org ID explicitly and never returns a
// record of another org: a lookup of another org's ID is ErrNotFound.
//
// Errors: methods return errors wrapping omnify.ErrNotFound when a record is
// absent, omnify.ErrConflict when a unique key or a guard is violated, and
// other errors for backend failures.
package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/omnify-cloud/omnify"
)

// Page asks for one page of a listing. Limit ≤ 0 means the backend default
// (50); Limit is capped at 1000. After is the opaque cursor a previous page
// returned as Next; "" starts at the beginning.
type Page struct {
	Limit int
	After string
}

// DefaultLimit and MaxLimit bound page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Norm returns p with its limit defaulted and capped.
func (p Page) Norm() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit > MaxLimit {
		p.Limit = MaxLimit
	}
	return p
}

// CheckIDs rejects a get-many ID list longer than MaxLimit.
func CheckIDs(ids []string) error {
	if len(ids) > MaxLimit {
		return omnify.Invalid("ids", "at most %d IDs per call, got %d", MaxLimit, len(ids))
	}
	return nil
}

// Store is everything OmniFy persists.
type Store interface {
	OrgStore
	UserStore
	MembershipStore
	TokenStore
	AuditStore
	CustomerStore
	CampaignStore
	JobStore
	EyesStore
	ConnectionStore
	SyncRunStore
	IdentityStore
	AudienceStore
	// Ping reports whether the backend is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// OrgStore persists organisations.
type OrgStore interface {
	CreateOrg(ctx context.Context, o *omnify.Org) error
	GetOrg(ctx context.Context, id string) (*omnify.Org, error)
	UpdateOrg(ctx context.Context, o *omnify.Org) error
}

// UserStore persists users. Emails are unique (ErrConflict).
type UserStore interface {
	CreateUser(ctx context.Context, u *omnify.User) error
	GetUser(ctx context.Context, id string) (*omnify.User, error)
	GetUserByEmail(ctx context.Context, email string) (*omnify.User, error)
	// CreateAccount stores a new user, a new org and the user's owner
	// membership of it, all or nothing: on any error (ErrConflict for a
	// used email) none of the three exists.
	CreateAccount(ctx context.Context, u *omnify.User, o *omnify.Org) error
}

// MembershipStore persists who belongs to which org with which role.
type MembershipStore interface {
	// AddMember returns ErrConflict when the user is already a member.
	AddMember(ctx context.Context, m *omnify.Membership) error
	GetMembership(ctx context.Context, orgID, userID string) (*omnify.Membership, error)
	// ListMembers lists an org's members ordered by join time.
	ListMembers(ctx context.Context, orgID string, p Page) (ms []omnify.Membership, next string, err error)
	// ListUserMemberships lists every org a user belongs to.
	ListUserMemberships(ctx context.Context, userID string) ([]omnify.Membership, error)
	// SetRole changes a member's role. It returns ErrConflict, changing
	// nothing, when that would leave the org without an owner.
	SetRole(ctx context.Context, orgID, userID string, role omnify.Role) error
	// RemoveMember returns ErrConflict, changing nothing, when the member is
	// the org's last owner.
	RemoveMember(ctx context.Context, orgID, userID string) error
}

// TokenStore persists refresh-token families.
type TokenStore interface {
	CreateRefreshToken(ctx context.Context, t *omnify.RefreshToken) error
	// UseRefreshToken atomically marks the token with this hash used at now
	// and returns it. A token already used or revoked is returned together
	// with ErrConflict (the caller revokes the family); an unknown hash is
	// ErrNotFound. Expiry is the caller's to check.
	UseRefreshToken(ctx context.Context, tokenHash string, now time.Time) (*omnify.RefreshToken, error)
	// RevokeFamily revokes every token of a family.
	RevokeFamily(ctx context.Context, familyID string, now time.Time) error
}

// AuditFilter narrows an audit listing; zero fields match everything.
type AuditFilter struct {
	Action  string
	ActorID string
	Since   time.Time
	Until   time.Time
}

// AuditStore persists the audit log. Events are append-only.
type AuditStore interface {
	AppendAudit(ctx context.Context, e *omnify.AuditEvent) error
	// ListAudit lists events newest first.
	ListAudit(ctx context.Context, orgID string, f AuditFilter, p Page) (es []omnify.AuditEvent, next string, err error)
}

// CustomerFilter narrows a customer listing; zero fields match everything.
type CustomerFilter struct {
	Email    string
	Platform string
}

// CustomerStore persists unified customers and their orders. Upserts are
// idempotent on (org, ID): writing the same record twice leaves one.
type CustomerStore interface {
	UpsertCustomers(ctx context.Context, orgID string, cs []omnify.Customer) error
	UpsertOrders(ctx context.Context, orgID string, os []omnify.Order) error
	GetCustomer(ctx context.Context, orgID, id string) (*omnify.Customer, error)
	// GetCustomers returns those of ids that are customers of the org, in no
	// particular order; IDs with no customer (or another org's) are left out.
	// At most MaxLimit IDs per call.
	GetCustomers(ctx context.Context, orgID string, ids []string) ([]omnify.Customer, error)
	// ListCustomers lists customers ordered by ID.
	ListCustomers(ctx context.Context, orgID string, f CustomerFilter, p Page) (cs []omnify.Customer, next string, err error)
	// ListOrders lists one customer's orders, oldest first.
	ListOrders(ctx context.Context, orgID, customerID string, p Page) (os []omnify.Order, next string, err error)
	// ScanCustomers and ScanOrders stream every record of an org without
	// holding them all in memory; fn's error stops the scan and is returned.
	ScanCustomers(ctx context.Context, orgID string, fn func(omnify.Customer) error) error
	ScanOrders(ctx context.Context, orgID string, fn func(omnify.Order) error) error
	CountCustomers(ctx context.Context, orgID string) (int, error)
}

// CampaignStore persists campaigns and their daily metrics.
type CampaignStore interface {
	UpsertCampaigns(ctx context.Context, orgID string, cs []omnify.Campaign) error
	// UpsertCampaignMetrics is idempotent on (org, campaign, day). A metric
	// of a campaign the org does not have is ErrNotFound.
	UpsertCampaignMetrics(ctx context.Context, orgID string, ms []omnify.CampaignMetric) error
	ListCampaigns(ctx context.Context, orgID string, p Page) (cs []omnify.Campaign, next string, err error)
	// ListCampaignMetrics lists an org's daily metrics ordered by day, then
	// campaign ID.
	ListCampaignMetrics(ctx context.Context, orgID string, f MetricFilter) ([]omnify.CampaignMetric, error)
}

// MetricFilter narrows a campaign-metric listing to Since ≤ Day < Until;
// zero fields match everything.
type MetricFilter struct {
	CampaignID string
	Since      time.Time
	Until      time.Time
}

// JobStore is the durable job table behind the embedded job queue.
type JobStore interface {
	// EnqueueJob stores a queued job. A job whose IdempotencyKey is already
	// used in the org is not stored again: the existing job is returned with
	// ErrConflict.
	EnqueueJob(ctx context.Context, j *omnify.Job) (*omnify.Job, error)
	// ClaimJob atomically takes the oldest runnable job of the given kinds
	// (queued or failed with RunAt ≤ now, or running with an expired lease),
	// marks it running, locked by worker until now+lease, and counts the
	// attempt. No kinds means any kind. ErrNotFound when there is none.
	ClaimJob(ctx context.Context, kinds []string, worker string, now time.Time, lease time.Duration) (*omnify.Job, error)
	// ClaimJobByID claims one named job under the same rules as ClaimJob.
	// When the job exists but cannot be claimed (done, dead, running under
	// a live lease, or not due yet) it returns the job as it is with
	// ErrConflict; ErrNotFound when there is no such job.
	ClaimJobByID(ctx context.Context, id, worker string, now time.Time, lease time.Duration) (*omnify.Job, error)
	// CompleteJob marks a job succeeded with its result. CompleteJob, FailJob
	// and SetJobProgress return ErrConflict for a job that is not running.
	CompleteJob(ctx context.Context, id string, result json.RawMessage, now time.Time) error
	// FailJob records a failed attempt: the job becomes failed and runnable
	// again at retryAt, or dead when it has used MaxAttempts. A zero retryAt
	// means the failure is permanent: the job becomes dead at once.
	FailJob(ctx context.Context, id string, msg string, retryAt time.Time) error
	// SetJobProgress stores a running job's progress document.
	SetJobProgress(ctx context.Context, id string, progress json.RawMessage) error
	// ExtendJobLease moves a running job's lease to until, while worker
	// still holds it; ErrConflict when the job is not running under worker
	// (its lease expired and another worker took it).
	ExtendJobLease(ctx context.Context, id, worker string, until time.Time) error
	// RetryJob makes a dead job queued again with a fresh attempt budget.
	RetryJob(ctx context.Context, orgID, id string, now time.Time) error
	GetJob(ctx context.Context, orgID, id string) (*omnify.Job, error)
	// ListJobs lists an org's jobs, newest first.
	ListJobs(ctx context.Context, orgID string, p Page) (js []omnify.Job, next string, err error)
}

// ScoreFilter narrows a listing of EYES scores; zero fields match everything.
type ScoreFilter struct {
	SegmentID  string
	MinChurn90 float64
	// ConsentedOnly keeps customers whose consent is granted.
	ConsentedOnly bool
}

// EyesStore persists EYES runs and their per-customer scores.
type EyesStore interface {
	// CreateEyesRun stores a new run and assigns it the org's next Version.
	CreateEyesRun(ctx context.Context, r *omnify.EyesRun) error
	// UpdateEyesRun updates status, report, error and finish time. A
	// finished run (succeeded or failed) is immutable: ErrConflict.
	UpdateEyesRun(ctx context.Context, r *omnify.EyesRun) error
	GetEyesRun(ctx context.Context, orgID, id string) (*omnify.EyesRun, error)
	// ListEyesRuns lists an org's runs, newest first.
	ListEyesRuns(ctx context.Context, orgID string, p Page) (rs []omnify.EyesRun, next string, err error)
	// LatestEyesRun returns the org's newest succeeded run.
	LatestEyesRun(ctx context.Context, orgID string) (*omnify.EyesRun, error)
	// PutEyesScores stores scores of a run; idempotent on (run, customer).
	// The run must be the org's (ErrNotFound) and not finished (ErrConflict):
	// store scores before marking the run succeeded.
	PutEyesScores(ctx context.Context, orgID, runID string, ss []omnify.EyesScore) error
	// ListEyesScores lists a run's scores ordered by customer ID.
	ListEyesScores(ctx context.Context, orgID, runID string, f ScoreFilter, p Page) (ss []omnify.EyesScore, next string, err error)
	// GetEyesScore returns one customer's score in a run.
	GetEyesScore(ctx context.Context, orgID, runID, customerID string) (*omnify.EyesScore, error)
}
