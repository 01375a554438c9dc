import type { Overview } from '../analytics/data'

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n)
}

/** What changed between the previous and the latest EYES run. */
export function Changes({ changes }: { changes: NonNullable<Overview['changes']> }) {
  const segments = changes.segments ?? []
  const moves = changes.migration?.moves ?? []
  if (!changes.previous_run_id) {
    return <p className="muted">This is the first EYES run: changes appear after the next one.</p>
  }
  return (
    <>
      <p className="muted">
        Compared with the run of {changes.previous_as_of ? dateFormat.format(new Date(changes.previous_as_of)) : 'before'}.
      </p>
      <div className="table-scroll" tabIndex={0}>
        <table className="table">
          <caption className="visually-hidden">Segment sizes before and now</caption>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col" className="num">Before</th>
              <th scope="col" className="num">Now</th>
              <th scope="col" className="num">Change</th>
            </tr>
          </thead>
          <tbody>
            {segments.map((s) => (
              <tr key={s.name}>
                <th scope="row">{s.name}</th>
                <td className="num">{s.before}</td>
                <td className="num">{s.after}</td>
                <td className="num">{signed(s.delta)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {moves.length > 0 && (
        <>
          <h3>Customers who moved</h3>
          <ul className="moves">
            {moves.slice(0, 8).map((m) => (
              <li key={`${m.from}→${m.to}`}>
                {m.count} {m.count === 1 ? 'customer' : 'customers'} moved from {m.from} to {m.to}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  )
}
