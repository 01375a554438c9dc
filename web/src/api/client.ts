import createClient from 'openapi-fetch'
import { createAuthFetch, type Fetch, type Lock } from './authFetch'
import { ApiError, networkError, problemToError } from './problem'
import type { operations, paths } from './schema'
import type { TokenStore } from './tokens'

// Types are taken from operations by their IDs, which the server keeps stable,
// rather than from schema names, which follow Go type names.
type Responses<Op extends keyof operations> = operations[Op]['responses']
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never
/** The JSON body of an operation's success response. */
export type Success<Op extends keyof operations> = JsonOf<Responses<Op>[Extract<keyof Responses<Op>, 200 | 201>]>
/** The JSON request body of an operation. */
export type RequestBody<Op extends keyof operations> = operations[Op] extends {
  requestBody: { content: { 'application/json': infer B } }
}
  ? B
  : never

export type Session = Success<'auth.login'>
export type Me = Success<'me.get'>
export type Membership = NonNullable<Me['memberships']>[number]
export type Role = Me['role']
export type Org = Success<'orgs.get'>
export type Member = Success<'members.invite'>
export type MemberPage = Success<'members.list'>
export type Health = Success<'health.live'>
export type RegisterInput = RequestBody<'auth.register'>
export type LoginInput = RequestBody<'auth.login'>
export type InviteInput = RequestBody<'members.invite'>

export const roles: readonly Role[] = ['owner', 'admin', 'analyst', 'viewer']

export interface ApiOptions {
  tokens: TokenStore
  baseUrl?: string
  fetch?: Fetch
  lock?: Lock
  onSessionEnded?: () => void
}

interface FetchResult<T> {
  data?: T
  error?: unknown
  response: Response
}

/** Resolves to the body of a successful call; rejects with an ApiError otherwise. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>
  try {
    result = await call
  } catch (err) {
    throw err instanceof ApiError ? err : networkError(err)
  }
  const { response } = result
  if (!response.ok) throw problemToError(response.status, result.error, response.statusText)
  return result.data as T
}

/** The OmniFy API as typed functions, with the session's tokens handled. */
export function createApi(opts: ApiOptions) {
  const baseUrl = opts.baseUrl ?? globalThis.location?.origin ?? ''
  const { tokens } = opts
  const fetch = createAuthFetch({ ...opts, baseUrl })
  const client = createClient<paths>({ baseUrl, fetch })

  const startSession = (s: Session): Session => {
    tokens.set(s)
    return s
  }

  return {
    tokens,
    /** The typed client, for pages that call operations with unwrap(). */
    client,
    /** fetch with the session's token, for uploads and downloads. */
    authFetch: fetch,
    health: () => unwrap(client.GET('/health')),
    register: (body: RegisterInput) => unwrap(client.POST('/v1/auth/register', { body })).then(startSession),
    login: (body: LoginInput) => unwrap(client.POST('/v1/auth/login', { body })).then(startSession),
    switchOrg: (orgId: string) =>
      unwrap(client.POST('/v1/auth/switch-org', { body: { org_id: orgId } })).then(startSession),
    /** Revokes the refresh token on the server (best effort) and forgets the session here. */
    logout: async () => {
      const refresh_token = tokens.refreshToken()
      tokens.clear()
      if (refresh_token === null) return
      await unwrap(client.POST('/v1/auth/logout', { body: { refresh_token } })).catch(() => undefined)
    },
    me: () => unwrap(client.GET('/v1/me')),
    org: (orgId: string) => unwrap(client.GET('/v1/orgs/{org_id}', { params: { path: { org_id: orgId } } })),
    members: (orgId: string, after?: string) =>
      unwrap(client.GET('/v1/orgs/{org_id}/members', { params: { path: { org_id: orgId }, query: after ? { after } : {} } })),
    invite: (orgId: string, body: InviteInput) =>
      unwrap(client.POST('/v1/orgs/{org_id}/members', { params: { path: { org_id: orgId } }, body })),
  }
}

export type Api = ReturnType<typeof createApi>
