// The EYES customer table's sorting and filtering, done in the browser over
// every scored customer of the run.

import type { Success } from '../../api/client'
import { riskOf, type Risk } from './histogram'

export type EyesCustomer = NonNullable<Success<'eyes.customers'>['items']>[number]

export type SortKey = 'customer' | 'customer_id' | 'segment' | 'churn_30' | 'churn_60' | 'churn_90' | 'p_alive' | 'expected_clv'
export type SortDir = 'asc' | 'desc'

export interface TableFilter {
  /** A segment ID, or '' for all. */
  segment: string
  /** A 90-day risk band, or '' for all. */
  risk: Risk | ''
  /** Part of a customer's name, email or ID, in any case. */
  query?: string
}

/** What a row is called: the customer's name, else email, else ID. */
export function customerLabel(r: EyesCustomer): string {
  return r.name || r.email || r.customer_id
}

function matches(r: EyesCustomer, q: string): boolean {
  return [r.customer_id, r.name, r.email].some((v) => v?.toLowerCase().includes(q))
}

export function filterRows(rows: readonly EyesCustomer[], f: TableFilter): EyesCustomer[] {
  const q = f.query?.trim().toLowerCase() ?? ''
  return rows.filter(
    (r) =>
      (f.segment === '' || r.segment_id === f.segment) &&
      (f.risk === '' || riskOf(r.churn_90) === f.risk) &&
      (q === '' || matches(r, q)),
  )
}

/** A stable sort: ties keep customer-ID order, whatever the direction.
 * 'customer' sorts by what the first column shows (customerLabel). */
export function sortRows(rows: readonly EyesCustomer[], key: SortKey, dir: SortDir): EyesCustomer[] {
  const sign = dir === 'asc' ? 1 : -1
  const value = (r: EyesCustomer) => (key === 'customer' ? customerLabel(r) : r[key])
  return [...rows].sort((a, b) => sign * compare(value(a), value(b)) || a.customer_id.localeCompare(b.customer_id))
}

function compare(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(b), undefined, { numeric: true })
}

/** The direction a column sorts in first: numbers high to low, text A to Z. */
export function firstDir(key: SortKey): SortDir {
  return key === 'customer' || key === 'customer_id' || key === 'segment' ? 'asc' : 'desc'
}
