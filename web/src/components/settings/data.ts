// Typed calls for the settings page: the org, its branding, member roles
// and the audit log.
import { unwrap, type Api, type RequestBody, type Role, type Success } from '../../api/client'

export type OrgDetail = Success<'orgs.get'>
export type OrgPatch = RequestBody<'orgs.update'>
export type AuditPage = Success<'audit.list'>
export type AuditItem = NonNullable<AuditPage['items']>[number]

export const settingsKeys = {
  org: (orgId: string) => ['orgs', orgId, 'detail'] as const,
  audit: (orgId: string, filter: AuditFilter) => ['orgs', orgId, 'audit', filter] as const,
}

export interface AuditFilter {
  action: string
  actorId: string
  /** yyyy-mm-dd from a date input, local time; '' for none. */
  since: string
  until: string
}

export const emptyAuditFilter: AuditFilter = { action: '', actorId: '', since: '', until: '' }

export interface AuditQuery {
  action?: string
  actor_id?: string
  since?: string
  until?: string
  after?: string
  limit?: number
}

/**
 * The audit list's query for a filter: blank fields left out, dates turned
 * into RFC 3339 instants at local midnight, and "until" made inclusive of
 * its whole day.
 */
export function auditQuery(f: AuditFilter, after?: string, tzOffsetMinutes = new Date().getTimezoneOffset()): AuditQuery {
  const q: AuditQuery = { limit: 50 }
  if (f.action.trim()) q.action = f.action.trim()
  if (f.actorId) q.actor_id = f.actorId
  if (f.since) q.since = localMidnight(f.since, 0, tzOffsetMinutes)
  if (f.until) q.until = localMidnight(f.until, 1, tzOffsetMinutes)
  if (after) q.after = after
  return q
}

function localMidnight(day: string, plusDays: number, tzOffsetMinutes: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const utc = Date.UTC(y, m - 1, d + plusDays) + tzOffsetMinutes * 60_000
  return new Date(utc).toISOString()
}

/** A filter problem to show before asking the server, keyed by field. */
export function auditFilterErrors(f: AuditFilter): Record<string, string> {
  if (f.since && f.until && f.since > f.until) return { until: 'must be on or after the “since” day' }
  return {}
}

export const settingsApi = (api: Api) => ({
  org: (orgId: string) => unwrap(api.client.GET('/v1/orgs/{org_id}', { params: { path: { org_id: orgId } } })),
  updateOrg: (orgId: string, body: OrgPatch) => unwrap(api.client.PATCH('/v1/orgs/{org_id}', { params: { path: { org_id: orgId } }, body })),
  setRole: (orgId: string, userId: string, role: Role) =>
    unwrap(api.client.PATCH('/v1/orgs/{org_id}/members/{user_id}', { params: { path: { org_id: orgId, user_id: userId } }, body: { role } })),
  remove: (orgId: string, userId: string) =>
    unwrap(api.client.DELETE('/v1/orgs/{org_id}/members/{user_id}', { params: { path: { org_id: orgId, user_id: userId } } })),
  audit: (orgId: string, q: AuditQuery) => unwrap(api.client.GET('/v1/orgs/{org_id}/audit', { params: { path: { org_id: orgId }, query: q } })),
})
