import { describe, expect, it, vi } from 'vitest'
import { createAuthFetch, type Fetch, type Lock } from './authFetch'
import { memoryStorage, refreshTokenKey, TokenStore } from './tokens'

const base = 'http://omnify.test'

interface Seen {
  path: string
  auth: string | null
  body: string
}

/**
 * A fake API: /v1/auth/refresh rotates tokens (pair N -> N+1) and every
 * other path answers 200 only to the current access token.
 */
function fakeServer(opts: { refreshStatus?: number; refreshDelay?: number } = {}) {
  let generation = 1
  const seen: Seen[] = []
  const fetch: Fetch = async (req) => {
    const path = new URL(req.url).pathname
    const body = await req.text()
    seen.push({ path, auth: req.headers.get('Authorization'), body })
    if (path === '/v1/auth/refresh') {
      if (opts.refreshDelay) await new Promise((r) => setTimeout(r, opts.refreshDelay))
      if (opts.refreshStatus) return new Response('{"title":"no"}', { status: opts.refreshStatus })
      if (JSON.parse(body).refresh_token !== `r${generation}`) return new Response('{}', { status: 401 })
      generation++
      return Response.json({ access_token: `a${generation}`, refresh_token: `r${generation}` })
    }
    if (path === '/v1/auth/login') return new Response('{"detail":"bad credentials"}', { status: 401 })
    if (req.headers.get('Authorization') !== `Bearer a${generation}`) return new Response('{}', { status: 401 })
    return Response.json({ ok: true, echo: body })
  }
  return { fetch, seen, refreshes: () => seen.filter((s) => s.path === '/v1/auth/refresh').length }
}

function setup(server: ReturnType<typeof fakeServer>, access: string | null = 'a1', lock?: Lock) {
  const storage = memoryStorage()
  const tokens = new TokenStore(storage)
  if (access !== null) tokens.set({ access_token: access, refresh_token: 'r1' })
  else storage.setItem(refreshTokenKey, 'r1')
  const onSessionEnded = vi.fn()
  const f = createAuthFetch({ tokens, baseUrl: base, fetch: server.fetch, onSessionEnded, ...(lock ? { lock } : {}) })
  return { f, tokens, storage, onSessionEnded }
}

const get = (path: string) => new Request(base + path)
const post = (path: string, body: unknown) =>
  new Request(base + path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } })

describe('createAuthFetch', () => {
  it('sends the access token as a bearer token', async () => {
    const server = fakeServer()
    const { f } = setup(server)
    const res = await f(get('/v1/me'))
    expect(res.status).toBe(200)
    expect(server.seen).toEqual([{ path: '/v1/me', auth: 'Bearer a1', body: '' }])
  })

  it('refreshes once on 401 and retries with the new token', async () => {
    const server = fakeServer()
    const { f, tokens, storage } = setup(server, 'a0-expired')
    const res = await f(get('/v1/me'))
    expect(res.status).toBe(200)
    expect(server.seen.map((s) => [s.path, s.auth])).toEqual([
      ['/v1/me', 'Bearer a0-expired'],
      ['/v1/auth/refresh', null],
      ['/v1/me', 'Bearer a2'],
    ])
    expect(tokens.accessToken()).toBe('a2')
    expect(storage.getItem(refreshTokenKey)).toBe('r2')
  })

  it('resends the request body on retry', async () => {
    const server = fakeServer()
    const { f } = setup(server, 'stale')
    const res = await f(post('/v1/orgs/o1/members', { email: 'b@example.com', role: 'viewer' }))
    expect(await res.json()).toEqual({ ok: true, echo: '{"email":"b@example.com","role":"viewer"}' })
  })

  it('shares one refresh among concurrent 401s', async () => {
    const server = fakeServer({ refreshDelay: 5 })
    const { f } = setup(server, 'stale')
    const results = await Promise.all([f(get('/v1/me')), f(get('/v1/orgs/o1')), f(get('/v1/orgs/o1/members'))])
    expect(results.map((r) => r.status)).toEqual([200, 200, 200])
    expect(server.refreshes()).toBe(1)
  })

  it('refreshes before the first call when only a refresh token is stored', async () => {
    const server = fakeServer()
    const { f } = setup(server, null)
    const res = await f(get('/v1/me'))
    expect(res.status).toBe(200)
    expect(server.seen.map((s) => s.path)).toEqual(['/v1/auth/refresh', '/v1/me'])
  })

  it('ends the session when the refresh token is refused', async () => {
    const server = fakeServer({ refreshStatus: 401 })
    const { f, tokens, onSessionEnded } = setup(server, 'stale')
    const res = await f(get('/v1/me'))
    expect(res.status).toBe(401)
    expect(tokens.hasSession()).toBe(false)
    expect(tokens.accessToken()).toBeNull()
    expect(onSessionEnded).toHaveBeenCalledTimes(1)
  })

  it('keeps the session when refresh fails for a server error', async () => {
    const server = fakeServer({ refreshStatus: 503 })
    const { f, tokens, onSessionEnded } = setup(server, 'stale')
    const res = await f(get('/v1/me'))
    expect(res.status).toBe(401)
    expect(tokens.refreshToken()).toBe('r1')
    expect(onSessionEnded).not.toHaveBeenCalled()
  })

  it('does not refresh for a failed sign-in', async () => {
    const server = fakeServer()
    const { f, onSessionEnded } = setup(server)
    const res = await f(post('/v1/auth/login', { email: 'a@example.com', password: 'wrong password' }))
    expect(res.status).toBe(401)
    expect(server.refreshes()).toBe(0)
    expect(server.seen[0]?.auth).toBeNull()
    expect(onSessionEnded).not.toHaveBeenCalled()
  })

  it('uses the refresh token another tab stored while waiting for the lock', async () => {
    const server = fakeServer()
    let storage: ReturnType<typeof memoryStorage> | undefined
    // The lock runs after "another tab" rotated r1 -> r2 on the server and in storage.
    const lock: Lock = async (fn) => {
      const rotated = await server.fetch(post('/v1/auth/refresh', { refresh_token: 'r1' }))
      storage?.setItem(refreshTokenKey, ((await rotated.json()) as { refresh_token: string }).refresh_token)
      return fn()
    }
    const s = setup(server, 'stale', lock)
    storage = s.storage
    const res = await s.f(get('/v1/me'))
    expect(res.status).toBe(200)
    expect(JSON.parse(server.seen.filter((x) => x.path === '/v1/auth/refresh')[1]?.body ?? '')).toEqual({ refresh_token: 'r2' })
    expect(s.tokens.refreshToken()).toBe('r3')
  })
})
