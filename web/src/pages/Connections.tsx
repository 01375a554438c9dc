import { useSignedIn } from '../app/RequireAuth'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function Connections() {
  const me = useSignedIn()
  useDocumentTitle('Connections · ' + me.org.name)
  return (
    <div className="page">
      <header className="page-header">
        <h1>Connections</h1>
      </header>
    </div>
  )
}
