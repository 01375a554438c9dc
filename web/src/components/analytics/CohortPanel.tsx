import { useQuery } from '@tanstack/react-query'
import { useMemo } from 'react'
import { useApi } from '../../auth/session'
import { EmptyState, ErrorState, Loading } from '../States'
import { Chart } from './Chart'
import { cohortGrid } from './cohorts'
import { analyticsApi, analyticsKeys } from './data'

/** Retention of first-order-month cohorts as a heat map and a table. */
export function CohortPanel({ orgId }: { orgId: string }) {
  const api = useApi()
  const q = useQuery({ queryKey: analyticsKeys.cohorts(orgId), queryFn: analyticsApi(api).cohorts })
  const grid = useMemo(() => (q.data ? cohortGrid(q.data) : undefined), [q.data])
  const option = useMemo(
    () =>
      grid && {
        tooltip: { position: 'top' },
        grid: { left: 72, right: 16, top: 8, bottom: 72 },
        xAxis: { type: 'category', data: grid.columns },
        yAxis: { type: 'category', data: grid.rows.map((r) => r.month), inverse: true },
        visualMap: { min: 0, max: 100, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#f0f9ff', '#0c4a6e'] } },
        series: [{ type: 'heatmap', data: grid.points, label: { show: grid.columns.length <= 12, formatter: (p: { value: number[] }) => `${p.value[2]}` } }],
      },
    [grid],
  )
  return (
    <section className="panel" aria-labelledby="cohort-title">
      <h2 id="cohort-title">Cohort retention</h2>
      <p className="muted">Customers grouped by the month of their first order; each cell is the share who ordered again that many months later.</p>
      {q.isPending && <Loading label="Loading cohorts…" />}
      {q.isError && <ErrorState title="Could not load cohorts" error={q.error} onRetry={() => void q.refetch()} />}
      {grid && grid.rows.length === 0 && <EmptyState title="No orders yet" />}
      {grid && option && grid.rows.length > 0 && (
        <>
          <Chart option={option} label="Heat map of monthly retention per first-order cohort; the table below lists the percentages." height={Math.max(220, grid.rows.length * 28 + 90)} />
          <details className="chart-table">
            <summary>Show the numbers as a table</summary>
            <div className="table-scroll" tabIndex={0}>
              <table className="table cohort-table">
                <caption className="visually-hidden">Retention % per cohort and month since the first order</caption>
                <thead>
                  <tr>
                    <th scope="col">Cohort</th>
                    <th scope="col" className="num">Customers</th>
                    {grid.columns.map((c) => (
                      <th key={c} scope="col" className="num">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {grid.rows.map((r) => (
                    <tr key={r.month}>
                      <th scope="row">{r.month}</th>
                      <td className="num">{r.customers}</td>
                      {r.cells.map((c, k) => (
                        <td key={k} className="num">
                          {c === null ? '' : `${c}%`}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  )
}
