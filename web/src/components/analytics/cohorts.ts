import type { CohortReport } from './data'

export interface CohortGrid {
  /** Column headings: "Month 0", "Month 1", … up to the longest cohort. */
  columns: string[]
  rows: { month: string; customers: number; cells: (number | null)[] }[]
  /** [column, row, retention %] for a heat map; empty cells left out. */
  points: [number, number, number][]
}

/**
 * Shapes cohorts into a rectangular grid: one row per first-order month,
 * one column per month since, null where the cohort is too young to have
 * that month yet. Retention is a whole-number percentage.
 */
export function cohortGrid(report: Pick<CohortReport, 'cohorts'>): CohortGrid {
  const cohorts = report.cohorts ?? []
  const width = cohorts.reduce((w, c) => Math.max(w, c.retention?.length ?? 0), 0)
  const columns = Array.from({ length: width }, (_, k) => `Month ${k}`)
  const points: [number, number, number][] = []
  const rows = cohorts.map((c, y) => {
    const cells: (number | null)[] = columns.map((_, k) => {
      const r = c.retention?.[k]
      if (r === undefined) return null
      const pct = Math.round(r * 1000) / 10
      points.push([k, y, pct])
      return pct
    })
    return { month: c.month, customers: c.customers, cells }
  })
  return { columns, rows, points }
}
