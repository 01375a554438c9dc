import { useSignedIn } from '../app/RequireAuth'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function Settings() {
  const me = useSignedIn()
  useDocumentTitle('Settings · ' + me.org.name)
  return (
    <div className="page">
      <header className="page-header">
        <h1>Settings</h1>
      </header>
    </div>
  )
}
