import { useState } from 'react'
import { useSignedIn } from '../../app/RequireAuth'
import { messageOf } from '../States'
import { healthWords, relativeFuture, relativePast, type ConnectionItem, type Platform } from './describe'
import { ConnectForm, OAuthButton } from './ConnectForm'
import { canConnect, canSync } from './permissions'
import { useDeleteConnection, useStartSync } from './queries'
import { SyncStatus } from './SyncStatus'

/** One platform: its connections with their health, and a way to connect it. */
export function PlatformCard({ platform, connections }: { platform: Platform; connections: ConnectionItem[] }) {
  const me = useSignedIn()
  const [open, setOpen] = useState(false)
  const headingId = `platform-${platform.platform}`
  return (
    <section className="panel platform-card" aria-labelledby={headingId}>
      <div className="platform-head">
        <h2 id={headingId}>{platform.display_name}</h2>
        <span className="muted">{connections.length === 0 ? 'Not connected' : `${connections.length} connected`}</span>
      </div>
      <p className="muted platform-streams">Reads {(platform.streams ?? []).map((s: { name: string }) => s.name.replace(/_/g, ' ')).join(', ') || 'nothing yet'}.</p>
      {connections.map((c) => (
        <ConnectionRow key={c.id} connection={c} />
      ))}
      {canConnect(me.role) && !open && (
        <div className="actions">
          <button type="button" className="button button--secondary" onClick={() => setOpen(true)} aria-expanded={false} aria-controls={`connect-${platform.platform}`}>
            Connect {platform.display_name}
          </button>
        </div>
      )}
      {canConnect(me.role) && open && (
        <div className="connect-box">
          {platform.oauth && (
            <>
              <OAuthButton platform={platform} />
              <p className="muted or-line">or paste credentials</p>
            </>
          )}
          <ConnectForm platform={platform} onDone={() => setOpen(false)} />
        </div>
      )}
    </section>
  )
}

function ConnectionRow({ connection: c }: { connection: ConnectionItem }) {
  const me = useSignedIn()
  const h = healthWords[c.health]
  const sync = useStartSync(me.org.id, c.id)
  const del = useDeleteConnection(me.org.id, c.id)
  const remove = () => {
    if (window.confirm(`Delete the connection “${c.name}” with its sync history? Customers already synced stay.`)) del.mutate()
  }
  return (
    <div className="connection-row">
      <div className="connection-title">
        <strong>{c.name}</strong>
        <span className={`health health--${h.tone}`}>
          <span aria-hidden="true">{h.tone === 'ok' ? '✓' : h.tone === 'warn' ? '!' : '✕'}</span> {h.label}
        </span>
      </div>
      <p className="muted">
        {c.last_sync_at ? `Last synced ${relativePast(c.last_sync_at)}` : 'Never synced'}
        {c.sync_every_minutes > 0 ? ` · syncs every ${c.sync_every_minutes} minutes` : ' · scheduled syncs off'}
      </p>
      {c.last_error && (
        <p className="sync-error" role="note">
          {c.last_error}
          {c.failures > 0 && ` (${c.failures} failed attempt${c.failures === 1 ? '' : 's'} in a row)`}
          {c.next_retry_at && ` Next try ${relativeFuture(c.next_retry_at)}.`}
        </p>
      )}
      <SyncStatus connectionId={c.id} />
      {(sync.error || del.error) && <p className="field-error">{messageOf(sync.error ?? del.error)}</p>}
      <div className="actions">
        {canSync(me.role) && (
          <button type="button" className="button button--small" disabled={sync.isPending} onClick={() => sync.mutate()}>
            Sync now
          </button>
        )}
        {canConnect(me.role) && (
          <button type="button" className="button button--small button--danger" disabled={del.isPending} onClick={remove}>
            Delete
          </button>
        )}
      </div>
    </div>
  )
}
