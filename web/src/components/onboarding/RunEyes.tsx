import { useId, useState, type FormEvent } from 'react'
import { useSignedIn } from '../../app/RequireAuth'
import { canSync } from '../connections/permissions'
import { messageOf } from '../States'
import { useEyesRuns, useStartEyes, type EyesRun } from './queries'

const runWords: Record<EyesRun['status'], string> = {
  queued: 'Waiting for a worker…',
  running: 'Finding segments and fitting churn models…',
  succeeded: 'Finished',
  failed: 'Failed; it will be retried',
  dead: 'Failed',
}

/** Starts an EYES run and follows it until it ends. */
export function RunEyes() {
  const me = useSignedIn()
  const runs = useEyesRuns(me.org.id)
  const start = useStartEyes(me.org.id)
  const [asOf, setAsOf] = useState('')
  const id = useId()
  const latest = runs.data?.[0]
  const busy = latest?.status === 'queued' || latest?.status === 'running'
  const submit = (e: FormEvent) => {
    e.preventDefault()
    start.mutate(asOf)
  }
  return (
    <div className="run-eyes">
      {canSync(me.role) ? (
        <form onSubmit={submit} className="inline-form" aria-label="Run EYES">
          <div className="field">
            <label htmlFor={id}>Analyse orders up to</label>
            <p className="field-hint" id={`${id}-hint`}>
              Leave empty for today; pick the last day of an older data set.
            </p>
            <input id={id} type="date" value={asOf} aria-describedby={`${id}-hint`} onChange={(e) => setAsOf(e.target.value)} />
          </div>
          <div>
            <button type="submit" className="button" disabled={busy || start.isPending}>
              {busy ? 'EYES is running…' : 'Run EYES'}
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">An analyst, admin or owner can run EYES.</p>
      )}
      {start.isError && <p className="field-error">{messageOf(start.error)}</p>}
      {latest && (
        <div className="run-status" aria-live="polite">
          <p>
            Run {latest.version}: {runWords[latest.status]}
            {latest.error && ` — ${latest.error}`}
          </p>
          {busy && <progress aria-label="EYES run progress" />}
        </div>
      )}
    </div>
  )
}
