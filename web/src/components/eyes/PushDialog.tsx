// Sending a segment to a marketing platform: the "Send to…" dialog of a
// segment card, the job's progress and result in plain words, and the
// card's line about its last push.

import { useEffect, useRef, useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { unwrap, type Role, type Success } from '../../api/client'
import { useApi } from '../../auth/session'
import { useSignedIn } from '../../app/RequireAuth'
import { splitErrors, useFormErrors } from '../../lib/useFormErrors'
import { useConnections, usePlatforms } from '../connections/queries'
import { SelectField, TextField } from '../Field'
import { FormAlert } from '../FormAlert'
import { ErrorState, Loading } from '../States'
import { num } from './format'

export type Job = Success<'jobs.get'>
export type SegmentPush = NonNullable<Success<'eyes.pushes'>['items']>[number]
type Platform = NonNullable<Success<'platforms.list'>['items']>[number]
type Connection = NonNullable<Success<'connections.list'>['items']>[number]

const rank: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2, owner: 3 }

/** eyes.push in the server's permission table: analysts and up. */
export const canPush = (r: Role) => rank[r] >= rank.analyst

/** A connection that can receive audiences, with its platform's name. */
export interface PushTarget {
  id: string
  name: string
  platform: string
  platformName: string
}

/** The org's connections whose platform writes audiences back, by platform then name. */
export function pushTargets(connections: readonly Connection[], platforms: readonly Platform[]): PushTarget[] {
  const byId = new Map(platforms.map((p) => [p.platform, p]))
  return connections
    .flatMap((c) => {
      const p = byId.get(c.platform)
      if (!p || (p.actions ?? []).length === 0) return []
      return [{ id: c.id, name: c.name || p.display_name, platform: c.platform, platformName: p.display_name }]
    })
    .sort((a, b) => a.platformName.localeCompare(b.platformName) || a.name.localeCompare(b.name))
}

interface Destination {
  /** What the audience is called on the platform. */
  noun: string
  label: string
  hint: string
}

const destinations: Record<string, Destination> = {
  klaviyo: { noun: 'list', label: 'List name', hint: 'A Klaviyo list name or ID. A list with this name is created when there is none.' },
  hubspot: {
    noun: 'static list',
    label: 'Static list name',
    hint: 'A HubSpot static list name or ID. A list with this name is created when there is none.',
  },
  gohighlevel: { noun: 'tag', label: 'Tag', hint: 'The HighLevel tag to put on these contacts; contacts who leave the segment lose it.' },
  linkedin_ads: {
    noun: 'matched audience',
    label: 'Audience name',
    hint: 'A LinkedIn matched audience name or ID. An audience with this name is created when there is none; LinkedIn takes up to 48 hours to match it.',
  },
}

/** How the dialog names and explains the destination of a platform. */
export function destinationOf(platform: string | undefined): Destination {
  return destinations[platform ?? ''] ?? { noun: 'audience', label: 'Audience name', hint: 'The audience on the platform, by name or ID.' }
}

/** A push job's result as the server records it (push.Result). */
export interface PushResult {
  platform?: string
  destination?: string
  added: number
  removed: number
  skipped_no_consent: number
  skipped_missing: number
  /** People recorded as sent who were since merged or erased: dropped from the record only. */
  forgotten: number
  failed_count: number
  failed: { customer_id: string; reason: string }[]
}

/** A push job's progress (push.Progress). */
export interface PushProgress {
  phase: string
  to_add: number
  to_remove: number
  added: number
  removed: number
  batches: number
  batches_done: number
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0)
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

/** Reads a job's result as a push result; null when it has none. */
export function asPushResult(v: unknown): PushResult | null {
  if (!isObject(v)) return null
  const failed = Array.isArray(v.failed)
    ? v.failed.filter(isObject).map((f) => ({ customer_id: String(f.customer_id ?? ''), reason: String(f.reason ?? '') }))
    : []
  return {
    ...(typeof v.platform === 'string' ? { platform: v.platform } : {}),
    ...(typeof v.destination === 'string' ? { destination: v.destination } : {}),
    added: count(v.added),
    removed: count(v.removed),
    skipped_no_consent: count(v.skipped_no_consent),
    skipped_missing: count(v.skipped_missing),
    forgotten: count(v.forgotten),
    failed_count: Math.max(count(v.failed_count), failed.length),
    failed,
  }
}

/** Reads a job's progress as a push's progress; null when it has none. */
export function asPushProgress(v: unknown): PushProgress | null {
  if (!isObject(v) || typeof v.phase !== 'string') return null
  return {
    phase: v.phase,
    to_add: count(v.to_add),
    to_remove: count(v.to_remove),
    added: count(v.added),
    removed: count(v.removed),
    batches: count(v.batches),
    batches_done: count(v.batches_done),
  }
}

const people = (n: number) => `${num(n)} ${n === 1 ? 'person' : 'people'}`

/** The reasons members were refused, most common first, each with its count. */
export function failureReasons(r: PushResult): { reason: string; count: number }[] {
  const by = new Map<string, number>()
  for (const f of r.failed) by.set(f.reason || 'No reason given', (by.get(f.reason || 'No reason given') ?? 0) + 1)
  return [...by].map(([reason, n]) => ({ reason, count: n })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
}

/** A finished push in sentences: who was added, removed, skipped and refused. */
export function describeResult(r: PushResult, noun = 'audience'): string[] {
  const out: string[] = []
  const where = r.destination ? `the ${noun} “${r.destination}”` : `the ${noun}`
  if (r.added > 0) out.push(`Added ${people(r.added)} to ${where}.`)
  if (r.removed > 0) out.push(`Removed ${people(r.removed)} who left the segment or withdrew consent.`)
  if (r.skipped_no_consent > 0) out.push(`Skipped ${people(r.skipped_no_consent)} without marketing consent.`)
  if (r.skipped_missing > 0) out.push(`Skipped ${people(r.skipped_missing)} no longer among your customers.`)
  if (r.forgotten > 0)
    out.push(`Stopped tracking ${people(r.forgotten)} sent earlier and since merged into another customer or erased (the platform was not asked to remove them).`)
  if (r.failed_count > 0) out.push(`${r.failed_count === 1 ? '1 person was' : `${num(r.failed_count)} people were`} refused by the platform.`)
  if (r.added === 0 && r.removed === 0 && r.failed_count === 0) out.unshift(`Nothing to change: ${where} already matches the segment.`)
  return out
}

const active = (s: Job['status'] | undefined) => s === 'queued' || s === 'running' || s === 'failed'

/** Where an unfinished push job stands, in one sentence. */
export function describeProgress(job: Pick<Job, 'status' | 'error' | 'progress'>): string {
  if (job.status === 'queued') return 'Waiting to start…'
  if (job.status === 'failed') return `An attempt failed and will be retried: ${job.error || 'no reason given'}.`
  if (job.status === 'dead') return `The push stopped: ${job.error || 'no reason given'}.`
  const p = asPushProgress(job.progress)
  if (!p || p.phase === 'planning') return 'Working out who to send…'
  const parts = [`${num(p.added)} of ${num(p.to_add)} added`]
  if (p.to_remove > 0) parts.push(`${num(p.removed)} of ${num(p.to_remove)} removed`)
  return `Sending: ${parts.join(', ')} (batch ${num(Math.min(p.batches_done + 1, p.batches))} of ${num(p.batches)}).`
}

const when = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' })

/** The segment card's line about its latest push. */
export function describeLastPush(p: SegmentPush, targetName: string): string {
  const to = `${targetName}${p.destination ? ` “${p.destination}”` : ''}`
  if (active(p.job.status)) return `Sending to ${to} now.`
  if (p.job.status === 'dead') return `Last send to ${to} failed: ${p.job.error || 'no reason given'}.`
  const r = asPushResult(p.job.result)
  const at = when.format(new Date(p.job.updated_at))
  if (!r) return `Last sent to ${to} on ${at}.`
  const parts = [`${num(r.added)} added`]
  if (r.removed > 0) parts.push(`${num(r.removed)} removed`)
  parts.push(`${num(r.skipped_no_consent)} skipped without consent`)
  if (r.failed_count > 0) parts.push(`${num(r.failed_count)} refused`)
  return `Last sent to ${to} on ${at}: ${parts.join(', ')}.`
}

const pushKeys = {
  pushes: (orgId: string, segmentId: string) => ['orgs', orgId, 'eyes', 'pushes', segmentId] as const,
  job: (orgId: string, jobId: string) => ['orgs', orgId, 'jobs', jobId] as const,
}

/** A segment's pushes, newest first, polled while the latest is under way. */
export function usePushes(orgId: string, segmentId: string) {
  const { client } = useApi()
  return useQuery({
    queryKey: pushKeys.pushes(orgId, segmentId),
    queryFn: () => unwrap(client.GET('/v1/eyes/segments/{segment_id}/pushes', { params: { path: { segment_id: segmentId } } })),
    refetchInterval: (q) => (active(q.state.data?.items?.[0]?.job.status) ? 2000 : false),
  })
}

function usePushJob(orgId: string, jobId: string | undefined) {
  const { client } = useApi()
  return useQuery({
    queryKey: pushKeys.job(orgId, jobId ?? ''),
    queryFn: () => unwrap(client.GET('/v1/jobs/{job_id}', { params: { path: { job_id: jobId ?? '' } } })),
    enabled: jobId !== undefined,
    refetchInterval: (q) => (q.state.data === undefined || active(q.state.data.status) ? 700 : false),
  })
}

/** The card's line about its last push, naming the connection it went to. */
export function LastPush({ segmentId }: { segmentId: string }) {
  const me = useSignedIn()
  const pushes = usePushes(me.org.id, segmentId)
  const conns = useConnections(me.org.id)
  const platforms = usePlatforms(me.org.id)
  const last = pushes.data?.items?.[0]
  if (!last) return null
  const conn = conns.data?.items?.find((c) => c.id === last.connection_id)
  const platform = platforms.data?.items?.find((p) => p.platform === conn?.platform)
  const name = conn ? `${platform?.display_name ?? conn.platform} ${destinationOf(conn.platform).noun}` : 'a removed connection'
  return <p className="push-last muted">{describeLastPush(last, name)}</p>
}

const fields = ['connection_id', 'destination'] as const

/** The "Send to…" dialog: pick a connection, name the audience, send, follow the job. */
export function PushDialog({ segment, onClose }: { segment: { id: string; name: string }; onClose: () => void }) {
  const me = useSignedIn()
  const { client } = useApi()
  const qc = useQueryClient()
  const conns = useConnections(me.org.id)
  const platforms = usePlatforms(me.org.id)
  const targets = pushTargets(conns.data?.items ?? [], platforms.data?.items ?? [])
  const [connectionId, setConnectionId] = useState('')
  const [destination, setDestination] = useState('')
  const [jobId, setJobId] = useState<string>()
  const { formRef, errors, show, clearField } = useFormErrors()
  const panel = useRef<HTMLDivElement>(null)
  const chosen = targets.find((t) => t.id === connectionId) ?? targets[0]
  const dest = destinationOf(chosen?.platform)

  useEffect(() => {
    panel.current?.querySelector<HTMLElement>('select, input, button')?.focus()
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose()
      if (e.key === 'Tab') trapTab(e, panel.current)
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [onClose])

  const send = useMutation({
    mutationFn: (body: { connection_id: string; destination: string }) =>
      unwrap(client.POST('/v1/eyes/segments/{segment_id}/push', { params: { path: { segment_id: segment.id } }, body })),
    onSuccess: (job) => {
      setJobId(job.id)
      void qc.invalidateQueries({ queryKey: pushKeys.pushes(me.org.id, segment.id) })
    },
    onError: (err) => show(splitErrors(err, fields)),
  })

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const name = destination.trim()
    if (!chosen) return show({ fields: { connection_id: 'is required' }, form: [] })
    if (!name) return show({ fields: { destination: `is required: the ${dest.noun} to put these people in` }, form: [] })
    send.mutate({ connection_id: chosen.id, destination: name })
  }

  return (
    <div className="drawer-backdrop push-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={panel} className="push-dialog" role="dialog" aria-modal="true" aria-labelledby={`push-title-${segment.id}`}>
        <h2 id={`push-title-${segment.id}`}>Send “{segment.name}” to a platform</h2>
        <p className="muted">Only customers with marketing consent are sent. Sending again updates the same audience.</p>
        {(conns.isPending || platforms.isPending) && <Loading label="Loading your connections…" />}
        {conns.isError && <ErrorState title="Could not load your connections" error={conns.error} onRetry={() => void conns.refetch()} />}
        {conns.data && platforms.data && targets.length === 0 && (
          <p>
            None of your connections can receive audiences. Connect Klaviyo, HubSpot, HighLevel or LinkedIn Ads on{' '}
            <Link to="/connections">Connections</Link> first.
          </p>
        )}
        {targets.length > 0 && jobId === undefined && (
          <form ref={formRef} noValidate onSubmit={submit} aria-label={`Send ${segment.name}`}>
            <FormAlert messages={errors.form} />
            <SelectField
              label="Connection"
              value={chosen?.id ?? ''}
              error={errors.fields.connection_id}
              options={targets.map((t) => ({ value: t.id, label: t.name === t.platformName ? t.name : `${t.name} (${t.platformName})` }))}
              onChange={(e) => {
                setConnectionId(e.target.value)
                clearField('connection_id')
              }}
            />
            <TextField
              label={dest.label}
              hint={dest.hint}
              value={destination}
              maxLength={200}
              autoComplete="off"
              error={errors.fields.destination}
              onChange={(e) => {
                setDestination(e.target.value)
                clearField('destination')
              }}
            />
            <div className="actions">
              <button type="submit" className="button" disabled={send.isPending}>
                {send.isPending ? 'Sending…' : `Send to ${chosen?.platformName ?? 'platform'}`}
              </button>
              <button type="button" className="button button--secondary" onClick={onClose}>
                Cancel
              </button>
            </div>
          </form>
        )}
        {jobId !== undefined && <PushJob orgId={me.org.id} jobId={jobId} noun={dest.noun} onClose={onClose} segmentId={segment.id} />}
      </div>
    </div>
  )
}

function PushJob({ orgId, jobId, noun, segmentId, onClose }: { orgId: string; jobId: string; noun: string; segmentId: string; onClose: () => void }) {
  const job = usePushJob(orgId, jobId)
  const qc = useQueryClient()
  const j = job.data
  const done = j !== undefined && !active(j.status)
  useEffect(() => {
    if (done) void qc.invalidateQueries({ queryKey: pushKeys.pushes(orgId, segmentId) })
  }, [done, qc, orgId, segmentId])
  const result = j?.status === 'succeeded' ? asPushResult(j.result) : null
  return (
    <section className="push-job" aria-labelledby={`push-job-${jobId}`}>
      <h3 id={`push-job-${jobId}`}>{done ? (j.status === 'succeeded' ? 'Sent' : 'Not sent') : 'Sending'}</h3>
      <div role="status" aria-live="polite">
        {job.isError && <p className="field-error">Could not follow the push: {String((job.error as Error).message)}</p>}
        {j && !done && <p>{describeProgress(j)}</p>}
        {j?.status === 'dead' && <p className="field-error">{describeProgress(j)}</p>}
        {result && (
          <ul className="push-result">
            {describeResult(result, noun).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        )}
      </div>
      {result && result.failed_count > 0 && (
        <>
          <h4>Why people were refused</h4>
          <ul className="push-failures">
            {failureReasons(result).map((f) => (
              <li key={f.reason}>
                {f.reason} ({people(f.count)})
              </li>
            ))}
          </ul>
          {result.failed_count > result.failed.length && <p className="muted">Showing reasons for the first {num(result.failed.length)}.</p>}
        </>
      )}
      <div className="actions">
        <button type="button" className="button button--secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  )
}

function trapTab(e: KeyboardEvent, root: HTMLElement | null) {
  if (!root) return
  const f = [...root.querySelectorAll<HTMLElement>('button:not([disabled]), a[href], input, select, [tabindex]:not([tabindex="-1"])')]
  const first = f[0]
  const last = f.at(-1)
  if (!first || !last) return
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault()
    last.focus()
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault()
    first.focus()
  }
}
