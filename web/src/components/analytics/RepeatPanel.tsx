import { useQuery } from '@tanstack/react-query'
import { useMemo } from 'react'
import { useApi } from '../../auth/session'
import { EmptyState, ErrorState, Loading } from '../States'
import { Chart } from './Chart'
import { analyticsApi, analyticsKeys } from './data'
import { percent } from './format'

/** Share of buyers with at least n orders. */
export function RepeatPanel({ orgId }: { orgId: string }) {
  const api = useApi()
  const q = useQuery({ queryKey: analyticsKeys.repeat(orgId), queryFn: analyticsApi(api).repeat })
  const points = q.data?.points ?? []
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 40 },
      xAxis: { type: 'category', name: 'orders', nameLocation: 'middle', nameGap: 26, data: points.map((p) => `${p.orders}+`) },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: [{ type: 'line', data: points.map((p) => Math.round(p.share * 1000) / 10) }],
    }),
    [points],
  )
  return (
    <section className="panel" aria-labelledby="repeat-title">
      <h2 id="repeat-title">Repeat purchases</h2>
      <p className="muted">Of all customers who ever ordered, the share who placed at least this many orders.</p>
      {q.isPending && <Loading label="Loading repeat purchases…" />}
      {q.isError && <ErrorState title="Could not load repeat purchases" error={q.error} onRetry={() => void q.refetch()} />}
      {q.isSuccess && q.data.buyers === 0 && <EmptyState title="No buyers yet" />}
      {q.isSuccess && q.data.buyers > 0 && (
        <>
          <Chart option={option} label="Line chart of the share of buyers with at least 1 to 10 orders; the table below lists the values." height={240} />
          <details className="chart-table">
            <summary>Show the numbers as a table</summary>
            <table className="table">
              <caption className="visually-hidden">Buyers with at least n orders</caption>
              <thead>
                <tr>
                  <th scope="col">Orders</th>
                  <th scope="col" className="num">Customers</th>
                  <th scope="col" className="num">Share</th>
                </tr>
              </thead>
              <tbody>
                {points.map((p) => (
                  <tr key={p.orders}>
                    <th scope="row">{p.orders} or more</th>
                    <td className="num">{p.customers}</td>
                    <td className="num">{percent(p.share)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </section>
  )
}
