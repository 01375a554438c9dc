import { useQuery } from '@tanstack/react-query'
import { queryKeys, useApi } from '../auth/session'

/** Whether the OmniFy server answers its liveness check, and its version. */
export function SystemStatus() {
  const api = useApi()
  const health = useQuery({ queryKey: queryKeys.health, queryFn: api.health, refetchInterval: 30_000, retry: false })
  let tone = 'pending'
  let text = 'Checking the OmniFy server…'
  if (health.isSuccess) {
    tone = health.data.status === 'ok' ? 'ok' : 'down'
    text = health.data.status === 'ok' ? 'All systems operational' : `Status: ${health.data.status}`
  } else if (health.isError) {
    tone = 'down'
    text = 'The OmniFy server is not answering'
  }
  return (
    <section className="status-card" aria-labelledby="status-title">
      <h2 id="status-title">System status</h2>
      <p className={`status status--${tone}`} role="status" aria-live="polite">
        <span className="status-dot" aria-hidden="true" />
        {text}
      </p>
      {health.isSuccess && <p className="muted">Server version {health.data.version}</p>}
      {health.isError && (
        <button type="button" className="button button--secondary" onClick={() => void health.refetch()}>
          Check again
        </button>
      )}
    </section>
  )
}
