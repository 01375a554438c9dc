// What the guided first run reads: connections, whether there are
// customers, background jobs (syncs) and EYES runs; each polled while work
// is under way so the steps move on their own.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { unwrap, type Success } from '../../api/client'
import { responseToError } from '../../api/problem'
import { useApi } from '../../auth/session'

export type ImportResult = Success<'imports.create'>
export type EyesRun = NonNullable<Success<'eyes.runs'>['items']>[number]

export const onboardingKeys = {
  hasCustomers: (orgId: string) => ['orgs', orgId, 'customers', 'any'] as const,
  jobs: (orgId: string) => ['orgs', orgId, 'jobs', 'recent'] as const,
  runs: (orgId: string) => ['orgs', orgId, 'eyes', 'runs'] as const,
}

const active = (s: string | undefined) => s === 'queued' || s === 'running'

export function useHasCustomers(orgId: string) {
  const { client } = useApi()
  return useQuery({
    queryKey: onboardingKeys.hasCustomers(orgId),
    queryFn: async () => ((await unwrap(client.GET('/v1/customers', { params: { query: { limit: 1 } } }))).items ?? []).length > 0,
  })
}

/** Recent syncs as jobs; polled every two seconds while one runs. */
export function useSyncJobs(orgId: string) {
  const { client } = useApi()
  const qc = useQueryClient()
  return useQuery({
    queryKey: onboardingKeys.jobs(orgId),
    queryFn: async () => {
      const page = await unwrap(client.GET('/v1/jobs', { params: { query: { limit: 20 } } }))
      const syncs = (page.items ?? []).filter((j) => j.kind.startsWith('sync'))
      if (!syncs.some((j) => active(j.status))) void qc.invalidateQueries({ queryKey: onboardingKeys.hasCustomers(orgId) })
      return syncs
    },
    refetchInterval: (q) => (q.state.data?.some((j) => active(j.status)) ? 2000 : false),
  })
}

/** EYES runs, newest first; polled every second while the newest runs. */
export function useEyesRuns(orgId: string) {
  const { client } = useApi()
  return useQuery({
    queryKey: onboardingKeys.runs(orgId),
    queryFn: async () => (await unwrap(client.GET('/v1/eyes/runs', { params: { query: { limit: 10 } } }))).items ?? [],
    refetchInterval: (q) => (active(q.state.data?.[0]?.status) ? 1000 : false),
  })
}

export function useStartEyes(orgId: string) {
  const { client } = useApi()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (asOf: string) => unwrap(client.POST('/v1/eyes/runs', { body: asOf ? { as_of: asOf } : {} })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['orgs', orgId, 'eyes'] }),
  })
}

export function useLoadDemo(orgId: string) {
  const { client } = useApi()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(client.POST('/v1/demo', { body: {} })),
    onSuccess: () => qc.invalidateQueries({ queryKey: onboardingKeys.hasCustomers(orgId) }),
  })
}

export type UploadOutcome = { ok: true; result: ImportResult } | { ok: false; result: ImportResult }

/**
 * Sends a file to POST /v1/imports. A rejected file (422 with line errors)
 * resolves with ok false; any other failure rejects with an ApiError.
 */
export function useImport(orgId: string) {
  const api = useApi()
  const qc = useQueryClient()
  return useMutation({
    mutationFn: async (file: File): Promise<UploadOutcome> => {
      const form = new FormData()
      form.append('file', file, file.name)
      const base = globalThis.location?.origin ?? ''
      const res = await api.authFetch(new Request(base + '/v1/imports', { method: 'POST', body: form }))
      if (res.status === 201) return { ok: true, result: (await res.json()) as ImportResult }
      if (res.status === 422 && (res.headers.get('Content-Type') ?? '').startsWith('application/json')) {
        return { ok: false, result: (await res.json()) as ImportResult }
      }
      throw await responseToError(res)
    },
    onSuccess: (out) => {
      if (out.ok) void qc.invalidateQueries({ queryKey: onboardingKeys.hasCustomers(orgId) })
    },
  })
}
