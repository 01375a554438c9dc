import { describe, expect, it } from 'vitest'
import { customerLabel, filterRows, firstDir, sortRows, type EyesCustomer } from './table'

const row = (id: string, segment: string, churn90: number, clv: number, name?: string, email?: string): EyesCustomer => ({
  customer_id: id,
  name,
  email,
  segment_id: segment,
  segment: segment.toUpperCase(),
  cluster: 0,
  rfm_segment: '',
  churn_30: churn90 / 2,
  churn_60: churn90 / 1.5,
  churn_90: churn90,
  p_alive: 1 - churn90,
  expected_clv: clv,
  reasons: [],
  x: 0,
  y: 0,
  consent: 'granted',
})

const named = row('c10', 'a', 0.9, 5, 'Zoe Quinn', 'zoe@shop.example')
const emailOnly = row('c2', 'b', 0.5, 50, undefined, 'amy@mail.example')
const nameOnly = row('c3', 'a', 0.1, 50, 'Bea Cole')
const idOnly = row('c1', 'b', 0.75, 1)
const rows = [named, emailOnly, nameOnly, idOnly]

describe('filterRows', () => {
  it.each([
    ['all', { segment: '', risk: '' as const }, ['c10', 'c2', 'c3', 'c1']],
    ['segment', { segment: 'a', risk: '' as const }, ['c10', 'c3']],
    ['risk', { segment: '', risk: 'high' as const }, ['c10', 'c1']],
    ['both', { segment: 'b', risk: 'medium' as const }, ['c2']],
    ['query', { segment: '', risk: '' as const, query: 'C1' }, ['c10', 'c1']],
    ['email fragment', { segment: '', risk: '' as const, query: '@MAIL.ex' }, ['c2']],
    ['email domain of a named customer', { segment: '', risk: '' as const, query: 'shop.example' }, ['c10']],
    ['name fragment', { segment: '', risk: '' as const, query: 'cole' }, ['c3']],
    ['query and segment', { segment: 'a', risk: '' as const, query: 'example' }, ['c10']],
    ['blank query', { segment: '', risk: '' as const, query: '  ' }, ['c10', 'c2', 'c3', 'c1']],
  ])('%s', (_, f, want) => {
    expect(filterRows(rows, f).map((r) => r.customer_id)).toEqual(want)
  })
})

describe('sortRows', () => {
  it.each([
    ['churn high first', 'churn_90' as const, 'desc' as const, ['c10', 'c1', 'c2', 'c3']],
    ['ids in natural order', 'customer_id' as const, 'asc' as const, ['c1', 'c2', 'c3', 'c10']],
    ['ties by id', 'expected_clv' as const, 'desc' as const, ['c2', 'c3', 'c10', 'c1']],
    ['segment', 'segment' as const, 'asc' as const, ['c10', 'c3', 'c1', 'c2']],
    ['customer by what the column shows', 'customer' as const, 'asc' as const, ['c2', 'c3', 'c1', 'c10']],
  ])('%s', (_, key, dir, want) => {
    expect(sortRows(rows, key, dir).map((r) => r.customer_id)).toEqual(want)
  })

  it('does not change its input', () => {
    const before = rows.map((r) => r.customer_id)
    sortRows(rows, 'churn_90', 'asc')
    expect(rows.map((r) => r.customer_id)).toEqual(before)
  })
})

it('firstDir', () => {
  expect(firstDir('churn_90')).toBe('desc')
  expect(firstDir('segment')).toBe('asc')
  expect(firstDir('customer')).toBe('asc')
})

describe('customerLabel', () => {
  it.each([
    ['name first', named, 'Zoe Quinn'],
    ['email without a name', emailOnly, 'amy@mail.example'],
    ['name without an email', nameOnly, 'Bea Cole'],
    ['the ID when neither (a customer deleted since the run)', idOnly, 'c1'],
    ['empty strings count as absent', { ...idOnly, name: '', email: '' }, 'c1'],
  ])('%s', (_, r, want) => {
    expect(customerLabel(r)).toBe(want)
  })
})
