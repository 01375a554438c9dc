import { useSignedIn } from '../app/RequireAuth'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function Analytics() {
  const me = useSignedIn()
  useDocumentTitle('Analytics · ' + me.org.name)
  return (
    <div className="page">
      <header className="page-header">
        <h1>Analytics</h1>
      </header>
    </div>
  )
}
