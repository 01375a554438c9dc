import { describe, expect, it } from 'vitest'
import { relativeFuture, syncProgress, type SyncRun } from './describe'

const run = (status: SyncRun['status'], progress: SyncRun['progress']): SyncRun => ({
  id: 's1',
  connection_id: 'c1',
  job_id: 'j1',
  mode: 'incremental',
  streams: [],
  trigger: 'manual',
  status,
  progress,
  created_at: '2026-01-01T00:00:00Z',
})

describe('syncProgress', () => {
  it.each([
    ['totals known', run('running', { customers: { read: 50, stored: 40, total: 100 }, orders: { read: 10, stored: 10, total: 100 } }), 0.25, 50],
    ['a total unknown', run('running', { customers: { read: 5, stored: 5 }, orders: { read: 1, stored: 1, total: 10 } }), null, 6],
    ['all streams done', run('running', { customers: { read: 5, stored: 5, done: true } }), 1, 5],
    ['succeeded', run('succeeded', {}), 1, 0],
    ['nothing yet', run('queued', {}), null, 0],
  ])('%s', (_, r, fraction, records) => {
    const p = syncProgress(r)
    expect(p.fraction).toBe(fraction)
    expect(p.records).toBe(records)
  })
})

it('relativeFuture', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  expect(relativeFuture('2026-01-01T00:00:30Z', now)).toBe('in 30 seconds')
  expect(relativeFuture('2026-01-01T00:05:00Z', now)).toBe('in 5 minutes')
  expect(relativeFuture('2025-12-31T00:00:00Z', now)).toBe('now')
})
