// Connection health and sync progress in plain words.

import type { Success } from '../../api/client'

export type ConnectionItem = Success<'connections.get'>
export type SyncRun = NonNullable<Success<'connections.syncs'>['items']>[number]
export type Platform = NonNullable<Success<'platforms.list'>['items']>[number]

export const healthWords: Record<ConnectionItem['health'], { label: string; tone: 'ok' | 'warn' | 'bad' }> = {
  healthy: { label: 'Healthy', tone: 'ok' },
  degraded: { label: 'Having trouble', tone: 'warn' },
  failing: { label: 'Failing', tone: 'bad' },
  disconnected: { label: 'Disconnected: new credentials needed', tone: 'bad' },
}

/** True while a sync run has work left. */
export function isActive(run: SyncRun | undefined): boolean {
  return run !== undefined && (run.status === 'queued' || run.status === 'running')
}

export interface SyncProgress {
  /** 0..1 when the vendor gave totals; null when the amount of work is unknown. */
  fraction: number | null
  records: number
  streamsDone: number
  streams: number
}

/** Adds up a run's stream progress. */
export function syncProgress(run: SyncRun): SyncProgress {
  const ps = Object.values(run.progress ?? {})
  let records = 0
  let total = 0
  let knownTotals = true
  let streamsDone = 0
  for (const p of ps) {
    records += p.stored
    if (p.done) streamsDone++
    if (p.total && p.total > 0) total += p.total
    else if (!p.done) knownTotals = false
  }
  let fraction: number | null = null
  if (run.status === 'succeeded') fraction = 1
  else if (knownTotals && total > 0) fraction = Math.min(1, records / total)
  else if (ps.length > 0 && streamsDone === ps.length) fraction = 1
  return { fraction, records, streamsDone, streams: ps.length }
}

/** "in 5 minutes", "in 40 seconds", "now". */
export function relativeFuture(iso: string, now = Date.now()): string {
  const s = Math.round((Date.parse(iso) - now) / 1000)
  if (!Number.isFinite(s) || s <= 0) return 'now'
  if (s < 90) return `in ${s} seconds`
  const m = Math.round(s / 60)
  if (m < 90) return `in ${m} minutes`
  return `in ${Math.round(m / 60)} hours`
}

/** "3 minutes ago" style, for last-sync times. */
export function relativePast(iso: string, now = Date.now()): string {
  const s = Math.round((now - Date.parse(iso)) / 1000)
  if (!Number.isFinite(s)) return 'unknown'
  if (s < 60) return 'just now'
  const m = Math.round(s / 60)
  if (m < 90) return `${m} minute${m === 1 ? '' : 's'} ago`
  const h = Math.round(m / 60)
  if (h < 36) return `${h} hours ago`
  return `${Math.round(h / 24)} days ago`
}
