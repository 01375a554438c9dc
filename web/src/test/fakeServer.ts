// An in-memory stand-in for the OmniFy API, enough for the dashboard's
// component tests to drive the real client through its flows.

import type { Fetch } from '../api/authFetch'
import type { Me, Member, Role } from '../api/client'

interface Account {
  id: string
  email: string
  password: string
}

interface OrgRecord {
  id: string
  name: string
  branding: { display_name: string; primary_color: string; logo_url: string }
  members: { user_id: string; role: Role; joined_at: string }[]
}

export interface FakeServer {
  fetch: Fetch
  calls: { method: string; path: string; body: unknown }[]
  /** Makes the next call to path answer with this status and body once. */
  failNext: (path: string, status: number, body: unknown) => void
  addAccount: (email: string, password: string) => string
  addOrg: (name: string, members: { userId: string; role: Role }[]) => string
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json' } })

const problem = (status: number, detail: string) => json(status, { title: String(status), status, detail })

export function fakeServer(): FakeServer {
  const accounts: Account[] = []
  const orgs: OrgRecord[] = []
  const tokens = new Map<string, { userId: string; orgId: string }>()
  const failures = new Map<string, Response>()
  const calls: FakeServer['calls'] = []
  let seq = 0
  const next = (p: string) => `${p}${++seq}`

  const addAccount = (email: string, password: string) => {
    const id = next('u')
    accounts.push({ id, email, password })
    return id
  }
  const addOrg = (name: string, members: { userId: string; role: Role }[]) => {
    const id = next('o')
    orgs.push({ id, name, branding: { display_name: '', primary_color: '', logo_url: '' }, members: members.map((m) => ({ user_id: m.userId, role: m.role, joined_at: '2026-01-02T03:04:05Z' })) })
    return id
  }
  const roleIn = (org: OrgRecord, userId: string) => org.members.find((m) => m.user_id === userId)?.role
  const session = (userId: string, orgId: string) => {
    const access = next('a')
    const refresh = next('r')
    tokens.set(access, { userId, orgId })
    tokens.set(refresh, { userId, orgId })
    const user = accounts.find((a) => a.id === userId)!
    const org = orgs.find((o) => o.id === orgId)!
    return json(200, { access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: 900, user: { id: user.id, email: user.email }, org: { id: org.id, name: org.name }, role: roleIn(org, userId) })
  }
  const memberView = (m: OrgRecord['members'][number]): Member => ({
    ...m,
    email: accounts.find((a) => a.id === m.user_id)!.email,
  })

  const route = (method: string, path: string, body: Record<string, string>, auth: { userId: string; orgId: string } | undefined): Response => {
    const key = `${method} ${path}`
    if (key === 'GET /health') return json(200, { status: 'ok', version: 'v-test' })
    if (key === 'POST /v1/auth/register') {
      if (accounts.some((a) => a.email === body.email)) return problem(409, 'email already registered')
      const userId = addAccount(body.email ?? '', body.password ?? '')
      const orgId = addOrg(body.org_name ?? '', [{ userId, role: 'owner' }])
      return session(userId, orgId)
    }
    if (key === 'POST /v1/auth/login') {
      const acct = accounts.find((a) => a.email === body.email && a.password === body.password)
      const org = acct && orgs.find((o) => roleIn(o, acct.id))
      return acct && org ? session(acct.id, org.id) : problem(401, 'invalid email or password')
    }
    if (key === 'POST /v1/auth/refresh') {
      const t = tokens.get(body.refresh_token ?? '')
      return t ? session(t.userId, t.orgId) : problem(401, 'invalid refresh token')
    }
    if (key === 'POST /v1/auth/logout') return new Response(null, { status: 204 })
    if (!auth) return problem(401, 'authentication required')
    const org = orgs.find((o) => o.id === auth.orgId)!
    const user = accounts.find((a) => a.id === auth.userId)!
    if (key === 'POST /v1/auth/switch-org') {
      const target = orgs.find((o) => o.id === body.org_id)
      return target && roleIn(target, user.id) ? session(user.id, target.id) : problem(404, 'org not found')
    }
    if (key === 'GET /v1/me') {
      const me: Me = {
        user: { id: user.id, email: user.email },
        org: { id: org.id, name: org.name },
        role: roleIn(org, user.id)!,
        memberships: orgs.filter((o) => roleIn(o, user.id)).map((o) => ({ org_id: o.id, org_name: o.name, role: roleIn(o, user.id)! })),
        branding: org.branding,
      }
      return json(200, me)
    }
    if (key === 'GET /v1/analytics/overview') {
      const w = { from: '2026-01-01T00:00:00Z', to: '2026-01-31T00:00:00Z', revenue_minor: 0, orders: 0 }
      return json(200, {
        currency: '',
        other_currency_orders: 0,
        customers: 0,
        kpis: { current: w, previous: w, revenue_change: null, orders_change: null, total_orders: 0, buyers: 0, repeaters: 0, repeat_rate: 0 },
      })
    }
    if (key === `GET /v1/orgs/${org.id}`) return json(200, { id: org.id, name: org.name, created_at: '2026-01-02T03:04:05Z', branding: org.branding })
    if (key === `PATCH /v1/orgs/${org.id}`) {
      const patch = body as unknown as { name?: string; branding?: Partial<OrgRecord['branding']> }
      if (patch.name !== undefined) org.name = patch.name
      org.branding = { ...org.branding, ...patch.branding }
      return json(200, { id: org.id, name: org.name, created_at: '2026-01-02T03:04:05Z', branding: org.branding })
    }
    if (key === `GET /v1/orgs/${org.id}/members`) return json(200, { items: org.members.map((m) => memberView(m)) })
    if (key === `POST /v1/orgs/${org.id}/members`) {
      const acct = accounts.find((a) => a.email === body.email)
      if (!acct) return problem(404, 'no account uses this email; ask them to sign up, then invite them')
      if (roleIn(org, acct.id)) return problem(409, 'already a member of this organisation')
      const m = { user_id: acct.id, role: body.role as Role, joined_at: '2026-02-03T04:05:06Z' }
      org.members.push(m)
      return json(201, memberView(m))
    }
    return problem(404, 'no such endpoint')
  }

  const fetch: Fetch = async (req) => {
    const url = new URL(req.url)
    const text = await req.text()
    const body = text ? (JSON.parse(text) as Record<string, string>) : {}
    calls.push({ method: req.method, path: url.pathname, body: text ? body : undefined })
    const failure = failures.get(url.pathname)
    if (failure) {
      failures.delete(url.pathname)
      return failure
    }
    const bearer = req.headers.get('Authorization')?.replace(/^Bearer /, '')
    return route(req.method, url.pathname, body, bearer ? tokens.get(bearer) : undefined)
  }

  return {
    fetch,
    calls,
    failNext: (path, status, body) => failures.set(path, json(status, body)),
    addAccount,
    addOrg,
  }
}
