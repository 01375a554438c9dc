import { pct } from './format'
import type { EyesSegments } from './queries'
import { TableScroll } from './TableScroll'

const bandWords: Record<string, string> = {
  strong: 'strong structure',
  reasonable: 'reasonable structure',
  weak: 'weak structure: segments overlap',
  none: 'no real structure',
}

/** Whether a quality bar was met, in words, colour and icon together. */
export function GateBadge({ passed, label }: { passed: boolean; label?: string }) {
  return (
    <span className={passed ? 'gate gate--pass' : 'gate gate--fail'}>
      <span aria-hidden="true">{passed ? '✓' : '✕'}</span> {label ?? (passed ? 'Passed' : 'Failed')}
    </span>
  )
}

/** The run's model card, as measured: a failed gate shows as failed. */
export function ModelCard({ data }: { data: EyesSegments }) {
  const c = data.clustering
  const gates = data.gates ?? []
  const sil = gates.find((g) => g.name === 'silhouette')
  return (
    <section className="panel model-card" aria-labelledby="model-card-title">
      <h2 id="model-card-title">Model card</h2>
      <p className="muted">
        Run {data.run.version} over orders up to {data.run.as_of.slice(0, 10)}. Numbers are as measured on this data.
      </p>
      <TableScroll label="Model card table">
        <table className="data-table">
          <caption className="visually-hidden">Quality of the segments and churn models</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Measure</th>
              <th scope="col">Value</th>
              <th scope="col">Bar</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">
                Segments ({c.chosen}, {c.k} groups)
              </th>
              <td>Silhouette ({c.silhouette_mode})</td>
              <td>
                {c.silhouette.toFixed(3)} <span className="muted">— {bandWords[c.band] ?? c.band}</span>
              </td>
              <td>≥ {sil ? sil.threshold.toFixed(2) : '0.45'}</td>
              <td>{sil ? <GateBadge passed={sil.passed} /> : <GateBadge passed={false} label="Not measured" />}</td>
            </tr>
            {(data.churn ?? []).map((m) => {
              const g = gates.find((x) => x.name === `churn_auc_${m.horizon_days}d`)
              return (
                <tr key={m.horizon_days}>
                  <th scope="row">Churn in {m.horizon_days} days</th>
                  <td>Out-of-time ROC AUC</td>
                  <td>{m.scored ? m.auc.toFixed(3) : <span className="muted">not scored: {m.reason}</span>}</td>
                  <td>≥ {g ? g.threshold.toFixed(2) : '0.70'}</td>
                  <td>{m.scored ? <GateBadge passed={m.gate_passed} /> : <GateBadge passed={false} label="Not scored" />}</td>
                </tr>
              )
            })}
          </tbody>
        </table>
      </TableScroll>
      {c.note && <p className="muted">{c.note}</p>}
      {(data.messages ?? []).map((m) => (
        <p key={m} className="notice notice--warn">
          <span aria-hidden="true">! </span>
          {m}
        </p>
      ))}
      <p className="muted">
        Consent: {data.consent.granted.toLocaleString()} granted, {data.consent.denied.toLocaleString()} denied, {data.consent.unknown.toLocaleString()} unknown.
        Only customers who granted consent are exported. {pct(data.consent.granted / Math.max(1, data.consent.granted + data.consent.denied + data.consent.unknown))} exportable.
      </p>
    </section>
  )
}
