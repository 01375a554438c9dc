import { useMemo } from 'react'
import { num, pct } from './format'
import { binProbabilities, riskOf, type Bin } from './histogram'
import type { EyesCustomer } from './table'

const horizons = [
  { days: 30, key: 'churn_30' },
  { days: 60, key: 'churn_60' },
  { days: 90, key: 'churn_90' },
] as const

/** How churn risk is spread over the customers, at 30, 60 and 90 days. */
export function ChurnHistograms({ rows }: { rows: readonly EyesCustomer[] }) {
  const hists = useMemo(() => horizons.map((h) => ({ ...h, bins: binProbabilities(rows.map((r) => r[h.key]), 10) })), [rows])
  return (
    <section className="panel" aria-labelledby="churn-title">
      <h2 id="churn-title">Churn risk</h2>
      <p className="muted">
        Customers by probability of no purchase in the next 30, 60 and 90 days. Bars are marked low (under 40%), medium and high (70% and over).
      </p>
      <div className="histograms">
        {hists.map((h) => (
          <Histogram key={h.days} days={h.days} bins={h.bins} />
        ))}
      </div>
    </section>
  )
}

function Histogram({ days, bins }: { days: number; bins: Bin[] }) {
  const max = Math.max(1, ...bins.map((b) => b.count))
  const total = bins.reduce((n, b) => n + b.count, 0)
  const label = `${days}-day churn risk of ${num(total)} customers: ${bins.map((b) => `${pct(b.from)} to ${pct(b.to)}: ${num(b.count)}`).join('; ')}.`
  const w = 100 / bins.length
  return (
    <figure className="histogram">
      <figcaption>{days} days</figcaption>
      <svg viewBox="0 0 100 60" preserveAspectRatio="none" role="img" aria-label={label}>
        {bins.map((b, i) => {
          const h = (b.count / max) * 54
          const risk = riskOf((b.from + b.to) / 2)
          return <rect key={i} className={`bar bar--${risk}`} x={i * w + 0.5} y={58 - h} width={w - 1} height={h} />
        })}
        <line x1="0" y1="58" x2="100" y2="58" className="axis" />
      </svg>
      <div className="histogram-axis" aria-hidden="true">
        <span>0%</span>
        <span>50%</span>
        <span>100%</span>
      </div>
    </figure>
  )
}
