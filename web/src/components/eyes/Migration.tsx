import { num } from './format'
import type { EyesSegments } from './queries'
import { TableScroll } from './TableScroll'

/** How customers moved between segments since the previous run. */
export function Migration({ migration }: { migration: EyesSegments['migration'] }) {
  return (
    <section className="panel" aria-labelledby="migration-title">
      <h2 id="migration-title">Since the last run</h2>
      {!migration ? (
        <p className="muted">This is the first run; the next run shows how customers move between segments.</p>
      ) : (
        <>
          <p>
            Compared with the run as of {migration.previous_as_of.slice(0, 10)}: {num(migration.stayed)} of {num(migration.matched)} customers stayed in their segment,{' '}
            {num(migration.new)} are new and {num(migration.gone)} are gone.
          </p>
          {(migration.moves ?? []).length > 0 && (
            <TableScroll label="Segment moves table">
              <table className="data-table">
                <caption className="visually-hidden">Customers who changed segment</caption>
                <thead>
                  <tr>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col">Customers</th>
                  </tr>
                </thead>
                <tbody>
                  {[...(migration.moves ?? [])]
                    .sort((a, b) => b.count - a.count)
                    .slice(0, 12)
                    .map((m) => (
                      <tr key={m.from + '→' + m.to}>
                        <td>{m.from}</td>
                        <td>{m.to}</td>
                        <td>{num(m.count)}</td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </TableScroll>
          )}
        </>
      )}
    </section>
  )
}
