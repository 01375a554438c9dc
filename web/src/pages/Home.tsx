import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { useSignedIn } from '../app/RequireAuth'
import { useApi } from '../auth/session'
import { analyticsApi, analyticsKeys, type Overview } from '../components/analytics/data'
import { money, percent, trend } from '../components/analytics/format'
import { Changes } from '../components/home/Changes'
import { KpiTile } from '../components/home/KpiTile'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { roleLabels } from '../lib/roles'
import { useDocumentTitle } from '../lib/useDocumentTitle'

/** The home page: headline KPIs, churn risk and what EYES saw change. */
export function Home() {
  const me = useSignedIn()
  const name = me.branding?.display_name || me.org.name
  useDocumentTitle(name)
  const api = useApi()
  const q = useQuery({ queryKey: analyticsKeys.overview(me.org.id), queryFn: analyticsApi(api).overview })
  return (
    <div className="page">
      <header className="page-header">
        <h1>{me.org.name}</h1>
        <p className="muted">
          {name !== me.org.name ? `${name} · ` : ''}Signed in as {me.user.email} · {roleLabels[me.role]}
        </p>
      </header>
      {q.isPending && <Loading label="Loading your numbers…" />}
      {q.isError && <ErrorState title="Could not load your numbers" error={q.error} onRetry={() => void q.refetch()} />}
      {q.isSuccess && <OverviewPanels ov={q.data} />}
    </div>
  )
}

function OverviewPanels({ ov }: { ov: Overview }) {
  if (ov.customers === 0 && ov.kpis.total_orders === 0) {
    return (
      <EmptyState title="No customer data yet">
        <p>Connect a platform or import a CSV file to see revenue, repeat purchases and churn risk here.</p>
        <Link className="button" to="/get-started">
          Get started
        </Link>
      </EmptyState>
    )
  }
  return (
    <>
      <Kpis ov={ov} />
      <Risk ov={ov} />
      {ov.changes && (
        <section className="panel" aria-labelledby="changes-title">
          <h2 id="changes-title">What changed since the last EYES run</h2>
          <Changes changes={ov.changes} />
        </section>
      )}
    </>
  )
}

function Kpis({ ov }: { ov: Overview }) {
  const k = ov.kpis
  const cur = ov.currency
  return (
    <section className="panel" aria-labelledby="kpi-title">
      <h2 id="kpi-title">Last 30 days</h2>
      <dl className="kpis">
        <KpiTile label="Customers" value={ov.customers.toLocaleString()} note={`${k.buyers.toLocaleString()} have ordered`} />
        <KpiTile label="Revenue" value={money(k.current.revenue_minor, cur)} trend={trend(k.revenue_change)} />
        <KpiTile label="Orders" value={k.current.orders.toLocaleString()} trend={trend(k.orders_change)} />
        <KpiTile
          label="Repeat-purchase rate"
          value={percent(k.repeat_rate)}
          note={`${k.repeaters.toLocaleString()} of ${k.buyers.toLocaleString()} buyers ordered twice or more, all time`}
        />
      </dl>
      {ov.other_currency_orders > 0 && (
        <p className="muted">
          Money is shown in {cur}; {ov.other_currency_orders} orders in other currencies are not counted.
        </p>
      )}
    </section>
  )
}

function Risk({ ov }: { ov: Overview }) {
  const r = ov.risk
  return (
    <section className="panel" aria-labelledby="risk-title">
      <h2 id="risk-title">Customers at high churn risk</h2>
      {!r ? (
        <p>
          Churn risk appears after the first EYES run. <Link to="/eyes">Run EYES</Link>
        </p>
      ) : (
        <>
          <dl className="kpis">
            {(
              [
                ['Within 30 days', r.days_30],
                ['Within 60 days', r.days_60],
                ['Within 90 days', r.days_90],
              ] as const
            ).map(([label, n]) => (
              <KpiTile key={label} label={label} value={n.toLocaleString()} note={`${percent(r.scored ? n / r.scored : 0)} of ${r.scored.toLocaleString()} scored`} />
            ))}
          </dl>
          <p className="muted">
            A customer counts when EYES puts their chance of not buying again within the period at 50% or more (run {r.version}).{' '}
            <Link to="/eyes">See the segments</Link>
          </p>
        </>
      )}
    </section>
  )
}
