import { useSignedIn } from '../app/RequireAuth'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function Eyes() {
  const me = useSignedIn()
  useDocumentTitle('EYES · ' + me.org.name)
  return (
    <div className="page">
      <header className="page-header">
        <h1>EYES</h1>
      </header>
    </div>
  )
}
