import type { TokenPair, TokenStore } from './tokens'

/** The fetch shape the typed client calls. */
export type Fetch = (request: Request) => Promise<Response>

/** Runs fn while holding a lock shared by every tab of this origin. */
export type Lock = <T>(fn: () => Promise<T>) => Promise<T>

export interface AuthFetchOptions {
  tokens: TokenStore
  /** Origin of the API, e.g. `https://omnify.example.com`. */
  baseUrl: string
  fetch?: Fetch
  /** Called once when a refresh is refused, i.e. the session is over. */
  onSessionEnded?: () => void
  lock?: Lock
}

// These authenticate by their body, never by the bearer token: their 401
// means wrong credentials, not an expired access token, so never refresh.
const credentialPaths = new Set(['/v1/auth/login', '/v1/auth/register', '/v1/auth/refresh', '/v1/auth/logout'])

/**
 * Wraps fetch with the session's bearer token. A 401 triggers one refresh of
 * the token pair and one retry; concurrent 401s share a single refresh, and
 * tabs take turns through a Web Lock, because the server treats a refresh
 * token used twice as stolen and revokes the session.
 */
export function createAuthFetch(opts: AuthFetchOptions): Fetch {
  const send: Fetch = opts.fetch ?? ((r) => globalThis.fetch(r))
  const lock = opts.lock ?? browserLock
  const { tokens } = opts
  let inflight: Promise<boolean> | null = null

  const refresh = (): Promise<boolean> => {
    inflight ??= lock(() => refreshPair(opts, send)).finally(() => {
      inflight = null
    })
    return inflight
  }

  return async (request) => {
    if (credentialPaths.has(new URL(request.url).pathname)) return send(request)
    if (tokens.accessToken() === null && tokens.hasSession()) await refresh()
    const used = tokens.accessToken()
    const first = await send(withBearer(request.clone(), used))
    if (first.status !== 401 || !tokens.hasSession()) return first
    // Another request may have refreshed while this one was in flight.
    const current = tokens.accessToken()
    if (current === used || current === null) {
      if (!(await refresh())) return first
    }
    return send(withBearer(request, tokens.accessToken()))
  }
}

async function refreshPair(opts: AuthFetchOptions, send: Fetch): Promise<boolean> {
  const { tokens } = opts
  // Read inside the lock: another tab may have rotated the token meanwhile.
  const token = tokens.refreshToken()
  if (token === null) return false
  let res: Response
  try {
    res = await send(
      new Request(`${opts.baseUrl}/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh_token: token }),
      }),
    )
  } catch {
    return false // offline: keep the refresh token for the next try
  }
  if (res.ok) {
    tokens.set((await res.json()) as TokenPair)
    return true
  }
  if (sessionIsOver(res.status)) {
    tokens.clear('expired')
    opts.onSessionEnded?.()
  }
  return false
}

// A client error means the refresh token is expired, revoked or malformed;
// rate limits, timeouts and server errors are worth retrying later.
function sessionIsOver(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429
}

function withBearer(request: Request, token: string | null): Request {
  if (token !== null) request.headers.set('Authorization', `Bearer ${token}`)
  return request
}

function browserLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
  if (!locks) return fn()
  return locks.request('omnify-token-refresh', fn) as Promise<T>
}
