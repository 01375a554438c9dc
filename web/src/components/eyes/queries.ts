// Data of the EYES page: the latest run's segments and model cards, its
// projection, every scored customer, and one customer's profile.

import { useQuery } from '@tanstack/react-query'
import { unwrap, type Success } from '../../api/client'
import { ApiError, responseToError } from '../../api/problem'
import { useApi } from '../../auth/session'
import type { EyesCustomer } from './table'

export type EyesSegments = Success<'eyes.segments'>
export type Segment = NonNullable<EyesSegments['segments']>[number]
export type CustomerDetail = Success<'customers.get'>

/** Points the scatter asks for: smooth on canvas, enough to see every segment's shape. */
export const projectionLimit = 50_000
/** Most customers the table loads; past this it says so. */
export const tableLimit = 100_000

export const eyesKeys = {
  segments: (orgId: string) => ['orgs', orgId, 'eyes', 'segments'] as const,
  projection: (orgId: string, runId: string) => ['orgs', orgId, 'eyes', 'projection', runId] as const,
  customers: (orgId: string, runId: string) => ['orgs', orgId, 'eyes', 'customers', runId] as const,
  customer: (orgId: string, id: string) => ['orgs', orgId, 'customers', id] as const,
}

/** The latest successful run; null when no run has succeeded yet. */
export function useSegments(orgId: string) {
  const { client } = useApi()
  return useQuery({
    queryKey: eyesKeys.segments(orgId),
    queryFn: async () => {
      try {
        return await unwrap(client.GET('/v1/eyes/segments'))
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null
        throw err
      }
    },
  })
}

export function useProjection(orgId: string, runId: string | undefined) {
  const { client } = useApi()
  return useQuery({
    queryKey: eyesKeys.projection(orgId, runId ?? ''),
    queryFn: () => unwrap(client.GET('/v1/eyes/projection', { params: { query: { limit: projectionLimit } } })),
    enabled: runId !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
  })
}

/** Every scored customer of the run, a thousand per request. */
export function useEyesCustomers(orgId: string, runId: string | undefined) {
  const { client } = useApi()
  return useQuery({
    queryKey: eyesKeys.customers(orgId, runId ?? ''),
    enabled: runId !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: async () => {
      const rows: EyesCustomer[] = []
      let page: string | undefined
      do {
        const out = await unwrap(client.GET('/v1/eyes/customers', { params: { query: { limit: 1000, ...(page ? { page } : {}) } } }))
        if (out.run_id !== runId) break // a newer run finished meanwhile; the page reloads
        rows.push(...(out.items ?? []))
        page = out.next || undefined
      } while (page && rows.length < tableLimit)
      return { rows, truncated: page !== undefined }
    },
  })
}

export function useCustomer(orgId: string, id: string | null) {
  const { client } = useApi()
  return useQuery({
    queryKey: eyesKeys.customer(orgId, id ?? ''),
    enabled: id !== null,
    queryFn: () => unwrap(client.GET('/v1/customers/{customer_id}', { params: { path: { customer_id: id ?? '' } } })),
  })
}

/** Downloads a segment's consented customers as CSV through the signed-in session. */
export async function downloadSegment(authFetch: (r: Request) => Promise<Response>, seg: { id: string; name: string }) {
  const base = globalThis.location?.origin ?? ''
  const res = await authFetch(new Request(`${base}/v1/eyes/segments/${encodeURIComponent(seg.id)}/export.csv`))
  if (!res.ok) throw await responseToError(res)
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = `${seg.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-consented.csv`
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
