import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from '@tanstack/react-query'
import { createContext, useContext, useEffect, useSyncExternalStore, type ReactNode } from 'react'
import type { Api } from '../api/client'
import { ApiError } from '../api/problem'
import { refreshTokenKey } from '../api/tokens'

const ApiContext = createContext<Api | null>(null)

/** The API client of the running app. */
export function useApi(): Api {
  const api = useContext(ApiContext)
  if (!api) throw new Error('useApi outside AppProviders')
  return api
}

/** True while a refresh token is stored, i.e. the user is signed in. */
export function useHasSession(): boolean {
  const { tokens } = useApi()
  return useSyncExternalStore(
    (fn) => tokens.subscribe(fn),
    () => tokens.hasSession(),
  )
}

// Org-scoped data is keyed ['orgs', orgId, ...]: switching org drops every
// such query of the other orgs in one sweep.
export const queryKeys = {
  health: ['health'] as const,
  me: ['me'] as const,
  members: (orgId: string) => ['orgs', orgId, 'members'] as const,
}

/** The signed-in user, their current org and role, and all their memberships. */
export function useMe() {
  const api = useApi()
  const enabled = useHasSession()
  return useQuery({ queryKey: queryKeys.me, queryFn: api.me, enabled, staleTime: 60_000 })
}

/** Query defaults: retry only what may succeed on retry (no response, 5xx). */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (count, err) => count < 2 && err instanceof ApiError && (err.status === 0 || err.status >= 500),
      },
      mutations: { retry: false },
    },
  })
}

export function AppProviders({ api, queryClient, children }: { api: Api; queryClient: QueryClient; children: ReactNode }) {
  return (
    <ApiContext.Provider value={api}>
      <QueryClientProvider client={queryClient}>
        <SessionSync />
        {children}
      </QueryClientProvider>
    </ApiContext.Provider>
  )
}

// Drops cached data when the session ends (sign-out, refused refresh, or
// sign-out in another tab) so nothing of the old session stays on screen.
function SessionSync() {
  const { tokens } = useApi()
  const queryClient = useQueryClient()
  useEffect(() => {
    const off = tokens.subscribe(() => {
      if (!tokens.hasSession()) queryClient.clear()
    })
    const onStorage = (e: StorageEvent) => {
      if (e.key === refreshTokenKey || e.key === null) tokens.notifyExternalChange()
    }
    window.addEventListener('storage', onStorage)
    return () => {
      off()
      window.removeEventListener('storage', onStorage)
    }
  }, [tokens, queryClient])
  return null
}
