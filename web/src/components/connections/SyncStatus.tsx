import { useSignedIn } from '../../app/RequireAuth'
import { isActive, relativePast, syncProgress, type SyncRun } from './describe'
import { useSyncs } from './queries'

const statusWords: Record<SyncRun['status'], string> = {
  queued: 'Waiting to start',
  running: 'Syncing',
  succeeded: 'Last sync finished',
  failed: 'Last sync failed; it will be retried',
  dead: 'Last sync failed and will not be retried',
}

/** A progress bar while a sync runs; the outcome of the last one otherwise. */
export function SyncStatus({ connectionId }: { connectionId: string }) {
  const me = useSignedIn()
  const syncs = useSyncs(me.org.id, connectionId)
  const run = syncs.data?.items?.[0]
  if (!run) return <p className="muted">{syncs.isPending ? 'Loading syncs…' : 'No sync yet.'}</p>
  return <SyncProgressView run={run} />
}

export function SyncProgressView({ run }: { run: SyncRun }) {
  const p = syncProgress(run)
  const active = isActive(run)
  const label = `${statusWords[run.status]}: ${p.records.toLocaleString()} records stored`
  return (
    <div className="sync-status">
      <p className="sync-line" aria-live="polite">
        {label}
        {p.streams > 0 && ` (${p.streamsDone} of ${p.streams} streams done)`}
        {!active && run.finished_at && ` · ${relativePast(run.finished_at)}`}
      </p>
      {active && (
        <progress
          className="sync-progress"
          aria-label="Sync progress"
          max={1}
          {...(p.fraction === null ? {} : { value: p.fraction })}
        />
      )}
      {run.error && <p className="sync-error">{run.error}</p>}
    </div>
  )
}
