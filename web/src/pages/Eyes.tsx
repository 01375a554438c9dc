import { useCallback, useRef, useState } from 'react'
import { Link } from 'react-router'
import { useSignedIn } from '../app/RequireAuth'
import { ChurnHistograms } from '../components/eyes/ChurnHistograms'
import { CustomerDrawer } from '../components/eyes/CustomerDrawer'
import { CustomerTable } from '../components/eyes/CustomerTable'
import { Migration } from '../components/eyes/Migration'
import { ModelCard } from '../components/eyes/ModelCard'
import { ProjectionChart } from '../components/eyes/ProjectionChart'
import { useEyesCustomers, useProjection, useSegments, type EyesSegments } from '../components/eyes/queries'
import { SegmentCards } from '../components/eyes/SegmentCards'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function Eyes() {
  const me = useSignedIn()
  useDocumentTitle('EYES · ' + me.org.name)
  const segments = useSegments(me.org.id)
  return (
    <div className="page">
      <header className="page-header">
        <h1>EYES</h1>
        <p className="muted">Segments of your customers, their churn risk, and how sure the models are.</p>
      </header>
      {segments.isPending && <Loading label="Loading the latest run…" />}
      {segments.isError && <ErrorState title="Could not load EYES" error={segments.error} onRetry={() => void segments.refetch()} />}
      {segments.data === null && (
        <EmptyState title="No EYES run yet">
          <p>
            Bring in customers and run EYES from <Link to="/get-started">Get started</Link>.
          </p>
        </EmptyState>
      )}
      {segments.data && <Run data={segments.data} />}
    </div>
  )
}

function Run({ data }: { data: EyesSegments }) {
  const me = useSignedIn()
  const projection = useProjection(me.org.id, data.run.id)
  const customers = useEyesCustomers(me.org.id, data.run.id)
  const [open, setOpen] = useState<string | null>(null)
  const opener = useRef<HTMLElement | null>(null)
  const openCustomer = useCallback((id: string, from?: HTMLElement) => {
    opener.current = from ?? (document.activeElement as HTMLElement | null)
    setOpen(id)
  }, [])
  const close = useCallback(() => {
    setOpen(null)
    opener.current?.focus()
  }, [])
  const segs = data.segments ?? []
  return (
    <>
      <p>
        Run {data.run.version} finished {data.run.finished_at ? new Date(data.run.finished_at).toLocaleString() : ''} over orders up to{' '}
        {data.run.as_of.slice(0, 10)}. <Link to="/get-started">Run again</Link>
      </p>
      {data.status !== 'ok' && (
        <p className="notice notice--warn" role="status">
          <span aria-hidden="true">! </span>Not enough data for every part of the analysis; see the model card.
        </p>
      )}
      <h2>Segments</h2>
      {segs.length === 0 ? <EmptyState title="No segments in this run" /> : <SegmentCards segments={segs} />}
      {(data.findings ?? []).length > 0 && (
        <section className="panel" aria-labelledby="findings-title">
          <h2 id="findings-title">What EYES found</h2>
          <ul>
            {(data.findings ?? []).map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </section>
      )}
      <div className="eyes-grid">
        <section className="panel" aria-label="Segment map">
          {projection.isPending && <Loading label="Loading the segment map…" />}
          {projection.isError && <ErrorState title="Could not load the segment map" error={projection.error} onRetry={() => void projection.refetch()} />}
          {projection.data && <ProjectionChart projection={projection.data} onPick={(id) => openCustomer(id)} />}
        </section>
        {customers.data ? <ChurnHistograms rows={customers.data.rows} /> : <section className="panel"><Loading label="Loading churn scores…" /></section>}
      </div>
      <ModelCard data={data} />
      <Migration migration={data.migration} />
      {customers.isPending && <Loading label="Loading customers…" />}
      {customers.isError && <ErrorState title="Could not load the customers" error={customers.error} onRetry={() => void customers.refetch()} />}
      {customers.data && <CustomerTable rows={customers.data.rows} segments={segs} onOpen={openCustomer} />}
      {open && <CustomerDrawer customerId={open} onClose={close} />}
    </>
  )
}
