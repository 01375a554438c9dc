// Data of the Connections page: platforms, connections and their syncs.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { unwrap } from '../../api/client'
import { useApi } from '../../auth/session'
import { isActive } from './describe'

export const connectionKeys = {
  platforms: (orgId: string) => ['orgs', orgId, 'platforms'] as const,
  connections: (orgId: string) => ['orgs', orgId, 'connections'] as const,
  syncs: (orgId: string, id: string) => ['orgs', orgId, 'connections', id, 'syncs'] as const,
}

export function usePlatforms(orgId: string) {
  const { client } = useApi()
  return useQuery({
    queryKey: connectionKeys.platforms(orgId),
    queryFn: () => unwrap(client.GET('/v1/platforms')),
    staleTime: 5 * 60_000,
  })
}

export function useConnections(orgId: string) {
  const { client } = useApi()
  return useQuery({
    queryKey: connectionKeys.connections(orgId),
    queryFn: () => unwrap(client.GET('/v1/connections', { params: { query: { limit: 1000 } } })),
  })
}

/** The connection's latest syncs, polled every second while one is under way. */
export function useSyncs(orgId: string, connectionId: string) {
  const { client } = useApi()
  const qc = useQueryClient()
  return useQuery({
    queryKey: connectionKeys.syncs(orgId, connectionId),
    queryFn: async () => {
      const page = await unwrap(
        client.GET('/v1/connections/{connection_id}/syncs', { params: { path: { connection_id: connectionId }, query: { limit: 5 } } }),
      )
      // A finished sync changes the connection's health and last-sync time.
      if (!isActive(page.items?.[0])) void qc.invalidateQueries({ queryKey: connectionKeys.connections(orgId), exact: true })
      return page
    },
    refetchInterval: (q) => (isActive(q.state.data?.items?.[0]) ? 1000 : false),
  })
}

export function useStartSync(orgId: string, connectionId: string) {
  const { client } = useApi()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: () =>
      unwrap(client.POST('/v1/connections/{connection_id}/sync', { params: { path: { connection_id: connectionId } }, body: { mode: 'incremental' } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: connectionKeys.syncs(orgId, connectionId) }),
  })
}

export function useDeleteConnection(orgId: string, connectionId: string) {
  const { client } = useApi()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(client.DELETE('/v1/connections/{connection_id}', { params: { path: { connection_id: connectionId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: connectionKeys.connections(orgId) }),
  })
}

export function useConnect(orgId: string) {
  const { client } = useApi()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: { platform: string; name?: string; credentials: Record<string, unknown> }) =>
      unwrap(client.POST('/v1/platforms/connect', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: connectionKeys.connections(orgId) }),
  })
}
