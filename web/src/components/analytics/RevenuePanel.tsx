import { keepPreviousData, useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { useApi } from '../../auth/session'
import { EmptyState, ErrorState, Loading } from '../States'
import { Chart } from './Chart'
import { analyticsApi, analyticsKeys, type Interval, type RevenueReport } from './data'
import { money, periodLabel } from './format'

const intervals: { value: Interval; label: string }[] = [
  { value: 'day', label: 'Daily' },
  { value: 'week', label: 'Weekly' },
  { value: 'month', label: 'Monthly' },
]

/** Revenue and orders over time, stacked by source platform. */
export function RevenuePanel({ orgId }: { orgId: string }) {
  const api = useApi()
  const [interval, setInterval] = useState<Interval>('week')
  const [metric, setMetric] = useState<'revenue' | 'orders'>('revenue')
  // The previous interval's numbers stay up while the next load, so the
  // panel (and an opened table) does not collapse on every switch.
  const q = useQuery({
    queryKey: analyticsKeys.revenue(orgId, interval),
    queryFn: () => analyticsApi(api).revenue(interval),
    placeholderData: keepPreviousData,
  })
  return (
    <section className="panel" aria-labelledby="revenue-title">
      <h2 id="revenue-title">Revenue and orders by platform</h2>
      <div className="toolbar">
        <fieldset className="segmented">
          <legend>Interval</legend>
          {intervals.map((i) => (
            <label key={i.value}>
              <input type="radio" name="interval" value={i.value} checked={interval === i.value} onChange={() => setInterval(i.value)} />
              {i.label}
            </label>
          ))}
        </fieldset>
        <fieldset className="segmented">
          <legend>Show</legend>
          {(['revenue', 'orders'] as const).map((m) => (
            <label key={m}>
              <input type="radio" name="metric" value={m} checked={metric === m} onChange={() => setMetric(m)} />
              {m === 'revenue' ? 'Revenue' : 'Orders'}
            </label>
          ))}
        </fieldset>
      </div>
      {q.isPending && <Loading label="Loading revenue…" />}
      {q.isError && <ErrorState title="Could not load revenue" error={q.error} onRetry={() => void q.refetch()} />}
      {q.isSuccess && <RevenueBody report={q.data} interval={q.data.interval as Interval} metric={metric} />}
      <p className="visually-hidden" role="status" aria-live="polite">
        {q.isFetching ? 'Loading…' : ''}
      </p>
    </section>
  )
}

function RevenueBody({ report, interval, metric }: { report: RevenueReport; interval: Interval; metric: 'revenue' | 'orders' }) {
  const platforms = report.platforms ?? []
  const periods = report.periods ?? []
  const labels = useMemo(() => periods.map((p) => periodLabel(p, interval)), [periods, interval])
  const value = (s: (typeof platforms)[number], k: number) => (metric === 'revenue' ? (s.revenue_minor?.[k] ?? 0) / 100 : (s.orders?.[k] ?? 0))
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value' },
      series: platforms.map((s) => ({ name: s.platform, type: 'bar', stack: 'total', data: labels.map((_, k) => value(s, k)) })),
    }),
    [labels, platforms, metric],
  )
  if (platforms.length === 0) return <EmptyState title="No orders in this period" />
  const fmt = (s: (typeof platforms)[number], k: number) =>
    metric === 'revenue' ? money(s.revenue_minor?.[k] ?? 0, report.currency) : String(s.orders?.[k] ?? 0)
  return (
    <>
      <Chart option={option} label={`${metric === 'revenue' ? 'Revenue' : 'Orders'} per ${interval}, stacked by platform: ${platforms.map((p) => p.platform).join(', ')}. The table below lists the values.`} />
      <details className="chart-table">
        <summary>Show the numbers as a table</summary>
        <div className="table-scroll" tabIndex={0}>
          <table className="table">
            <caption className="visually-hidden">{metric === 'revenue' ? 'Revenue' : 'Orders'} per period and platform</caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                {platforms.map((s) => (
                  <th key={s.platform} scope="col" className="num">
                    {s.platform}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((l, k) => (
                <tr key={periods[k]}>
                  <th scope="row">{l}</th>
                  {platforms.map((s) => (
                    <td key={s.platform} className="num">
                      {fmt(s, k)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  )
}
