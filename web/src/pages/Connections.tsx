import { Link } from 'react-router'
import { useSignedIn } from '../app/RequireAuth'
import { PlatformCard } from '../components/connections/PlatformCard'
import { canConnect } from '../components/connections/permissions'
import { useConnections, usePlatforms } from '../components/connections/queries'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function Connections() {
  const me = useSignedIn()
  useDocumentTitle('Connections · ' + me.org.name)
  const platforms = usePlatforms(me.org.id)
  const connections = useConnections(me.org.id)
  return (
    <div className="page">
      <header className="page-header">
        <h1>Connections</h1>
        <p className="muted">
          Connect the platforms your customers buy and engage on; OmniFy syncs them into one customer graph.
          {!canConnect(me.role) && ' Only admins and owners can connect platforms.'} Prefer a file? <Link to="/get-started">Import a CSV</Link>.
        </p>
      </header>
      {(platforms.isPending || connections.isPending) && <Loading label="Loading platforms…" />}
      {platforms.isError && <ErrorState title="Could not load the platforms" error={platforms.error} onRetry={() => void platforms.refetch()} />}
      {connections.isError && <ErrorState title="Could not load your connections" error={connections.error} onRetry={() => void connections.refetch()} />}
      {platforms.data && (platforms.data.items ?? []).length === 0 && (
        <EmptyState title="No platforms on this server">This server was started without connectors; CSV imports still work.</EmptyState>
      )}
      {platforms.data && connections.data && (
        <div className="platform-grid">
          {(platforms.data.items ?? []).map((p) => (
            <PlatformCard key={p.platform} platform={p} connections={(connections.data.items ?? []).filter((c) => c.platform === p.platform)} />
          ))}
        </div>
      )}
    </div>
  )
}
