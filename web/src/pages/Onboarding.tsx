import { useSignedIn } from '../app/RequireAuth'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function Onboarding() {
  const me = useSignedIn()
  useDocumentTitle('Get started · ' + me.org.name)
  return (
    <div className="page">
      <header className="page-header">
        <h1>Get started</h1>
      </header>
    </div>
  )
}
