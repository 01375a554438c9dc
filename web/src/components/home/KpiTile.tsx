import type { ReactNode } from 'react'
import type { Trend } from '../analytics/format'

/** One headline number; the trend badge is repeated in words for screen readers. */
export function KpiTile({ label, value, trend, note }: { label: string; value: string; trend?: Trend; note?: ReactNode }) {
  return (
    <div className="kpi">
      <dt className="kpi-label">{label}</dt>
      <dd className="kpi-value">{value}</dd>
      {trend && (
        <dd className={`kpi-trend kpi-trend--${trend.direction}`}>
          <span aria-hidden="true">{trend.badge}</span>
          <span className="kpi-trend-text">{trend.text}</span>
        </dd>
      )}
      {note && <dd className="kpi-note">{note}</dd>}
    </div>
  )
}
