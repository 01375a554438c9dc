import { useSignedIn } from '../app/RequireAuth'
import { CohortPanel } from '../components/analytics/CohortPanel'
import { RepeatPanel } from '../components/analytics/RepeatPanel'
import { RevenuePanel } from '../components/analytics/RevenuePanel'
import { ChannelsPanel, TopProductsPanel } from '../components/analytics/TablesPanels'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function Analytics() {
  const me = useSignedIn()
  useDocumentTitle('Analytics · ' + me.org.name)
  return (
    <div className="page">
      <header className="page-header">
        <h1>Analytics</h1>
        <p className="muted">Numbers refresh within a minute of new data arriving.</p>
      </header>
      <RevenuePanel orgId={me.org.id} />
      <CohortPanel orgId={me.org.id} />
      <RepeatPanel orgId={me.org.id} />
      <TopProductsPanel orgId={me.org.id} />
      <ChannelsPanel orgId={me.org.id} />
    </div>
  )
}
