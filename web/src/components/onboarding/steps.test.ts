import { describe, expect, it } from 'vitest'
import { deriveSteps, runInFlight, type Facts } from './steps'

const none: Facts = { connections: 0, hasCustomers: false, syncing: false, runs: [] }

describe('deriveSteps', () => {
  it.each([
    ['a new org starts at the data step', none, 'current pending pending pending'],
    ['a connection still syncing', { ...none, connections: 1, syncing: true }, 'done current pending pending'],
    ['imported customers', { ...none, hasCustomers: true }, 'done done current pending'],
    ['customers but a sync under way', { ...none, connections: 1, hasCustomers: true, syncing: true }, 'done current pending pending'],
    ['a run in flight', { ...none, hasCustomers: true, runs: ['running'] }, 'done done current pending'],
    ['a failed run', { ...none, hasCustomers: true, runs: ['failed'] }, 'done done current pending'],
    ['an older run succeeded', { ...none, hasCustomers: true, runs: ['running', 'succeeded'] }, 'done done done done'],
    ['a run without data left counts for nothing', { ...none, runs: ['succeeded'] }, 'current pending pending pending'],
  ])('%s', (_, facts, want) => {
    expect(deriveSteps(facts).map((s) => s.state).join(' ')).toBe(want)
  })
})

it('runInFlight', () => {
  expect(runInFlight([{ status: 'queued' }])).toBe(true)
  expect(runInFlight([{ status: 'succeeded' }, { status: 'running' }])).toBe(false)
  expect(runInFlight([])).toBe(false)
})
