import { Link } from 'react-router'
import { useSignedIn } from '../app/RequireAuth'
import { canConnect } from '../components/connections/permissions'
import { useConnections } from '../components/connections/queries'
import { SyncStatus } from '../components/connections/SyncStatus'
import { ImportForm } from '../components/onboarding/ImportForm'
import { useEyesRuns, useHasCustomers, useLoadDemo, useSyncJobs } from '../components/onboarding/queries'
import { RunEyes } from '../components/onboarding/RunEyes'
import { deriveSteps, type StepId } from '../components/onboarding/steps'
import { StepList, type StepView } from '../components/onboarding/StepList'
import { ErrorState, Loading, messageOf } from '../components/States'
import { useDocumentTitle } from '../lib/useDocumentTitle'

const titles: Record<StepId, string> = {
  data: 'Bring in your customers',
  sync: 'Watch the first sync or import',
  eyes: 'Run EYES',
  segments: 'See your segments',
}

export function Onboarding() {
  const me = useSignedIn()
  useDocumentTitle('Get started · ' + me.org.name)
  const connections = useConnections(me.org.id)
  const customers = useHasCustomers(me.org.id)
  const jobs = useSyncJobs(me.org.id)
  const runs = useEyesRuns(me.org.id)
  const queries = [connections, customers, jobs, runs]
  const failed = queries.find((q) => q.isError)
  if (failed) return <Page><ErrorState title="Could not load your progress" error={failed.error} onRetry={() => queries.forEach((q) => void q.refetch())} /></Page>
  if (queries.some((q) => q.isPending)) return <Page><Loading label="Loading your progress…" /></Page>

  const conns = connections.data?.items ?? []
  const syncs = jobs.data ?? []
  const steps = deriveSteps({
    connections: conns.length,
    hasCustomers: customers.data === true,
    syncing: syncs.some((j) => j.status === 'queued' || j.status === 'running'),
    runs: (runs.data ?? []).map((r) => r.status),
  })
  const body: Record<StepId, React.ReactNode> = {
    data: <DataStep />,
    sync: conns.length > 0 ? (
      <div className="stack">
        {conns.map((c) => (
          <div key={c.id}>
            <h3 className="h3">{c.name}</h3>
            <SyncStatus connectionId={c.id} />
          </div>
        ))}
      </div>
    ) : (
      <p>{customers.data ? 'Your customers are in.' : 'Your import shows its result above as soon as the file is stored.'}</p>
    ),
    eyes: <RunEyes />,
    segments: (
      <p>
        <Link className="button" to="/eyes">
          Open EYES segments
        </Link>
      </p>
    ),
  }
  const views: StepView[] = steps.map((s) => ({ id: s.id, title: titles[s.id], state: s.state, children: body[s.id] }))
  const allDone = steps.every((s) => s.state === 'done')
  return (
    <Page>
      <p className="muted">{allDone ? 'You are set up. Every step is done; come back any time to import more.' : 'Four steps from an empty organisation to segments you can act on.'}</p>
      <StepList steps={views} />
    </Page>
  )
}

function Page({ children }: { children: React.ReactNode }) {
  return (
    <div className="page">
      <header className="page-header">
        <h1>Get started</h1>
      </header>
      {children}
    </div>
  )
}

function DataStep() {
  const me = useSignedIn()
  const demo = useLoadDemo(me.org.id)
  return (
    <div className="choices">
      <section className="choice" aria-labelledby="choice-connect">
        <h3 id="choice-connect" className="h3">Connect a platform</h3>
        <p>Shopify, Stripe, HubSpot, Klaviyo and more sync on a schedule.</p>
        <Link className="button button--secondary" to="/connections">
          Go to connections
        </Link>
      </section>
      <section className="choice" aria-labelledby="choice-import">
        <h3 id="choice-import" className="h3">Import a CSV</h3>
        <ImportForm />
      </section>
      <section className="choice" aria-labelledby="choice-demo">
        <h3 id="choice-demo" className="h3">Try demo data</h3>
        <p>Two years of synthetic shoppers and orders, for an empty organisation.</p>
        {canConnect(me.role) ? (
          <button type="button" className="button button--secondary" disabled={demo.isPending} onClick={() => demo.mutate()}>
            {demo.isPending ? 'Loading demo data…' : 'Load demo data'}
          </button>
        ) : (
          <p className="muted">An admin or owner can load demo data.</p>
        )}
        {demo.isError && <p className="field-error">{messageOf(demo.error)}</p>}
        {demo.data && (
          <p className="notice notice--ok" role="status">
            <span aria-hidden="true">✓ </span>Loaded {demo.data.customers.toLocaleString()} customers and {demo.data.orders.toLocaleString()} orders.
          </p>
        )}
      </section>
    </div>
  )
}
