import { useEffect, useRef } from 'react'
import { useSignedIn } from '../../app/RequireAuth'
import { ErrorState, Loading } from '../States'
import { minor, money, pct, words } from './format'
import { useCustomer, type CustomerDetail } from './queries'

/** A side panel with everything known of one customer; Escape or Close returns focus to where it was opened. */
export function CustomerDrawer({ customerId, onClose }: { customerId: string; onClose: () => void }) {
  const me = useSignedIn()
  const q = useCustomer(me.org.id, customerId)
  const panel = useRef<HTMLDivElement>(null)
  const close = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    close.current?.focus()
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose()
      if (e.key === 'Tab') trapTab(e, panel.current)
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [onClose])

  return (
    <div className="drawer-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={panel} className="drawer" role="dialog" aria-modal="true" aria-labelledby="drawer-title">
        <div className="drawer-head">
          <h2 id="drawer-title">{q.data?.customer.name || q.data?.customer.email || `Customer ${customerId}`}</h2>
          <button ref={close} type="button" className="button button--secondary button--small" onClick={onClose}>
            Close
          </button>
        </div>
        {q.isPending && <Loading label="Loading the customer…" />}
        {q.isError && <ErrorState title="Could not load the customer" error={q.error} onRetry={() => void q.refetch()} />}
        {q.data && <Profile d={q.data} />}
      </div>
    </div>
  )
}

function trapTab(e: KeyboardEvent, root: HTMLElement | null) {
  if (!root) return
  const f = [...root.querySelectorAll<HTMLElement>('button, a[href], input, select, [tabindex]:not([tabindex="-1"])')]
  const first = f[0]
  const last = f.at(-1)
  if (!first || !last) return
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault()
    last.focus()
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault()
    first.focus()
  }
}

const consentWords = { granted: 'Granted', denied: 'Denied', unknown: 'Not known' } as const

function Profile({ d }: { d: CustomerDetail }) {
  const c = d.customer
  const s = d.eyes
  return (
    <div className="drawer-body">
      <dl className="facts">
        <div>
          <dt>ID</dt>
          <dd>{c.id}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>{c.email || '—'}</dd>
        </div>
        <div>
          <dt>Marketing consent</dt>
          <dd>
            <span className={`consent consent--${c.consent}`}>{consentWords[c.consent]}</span>
          </dd>
        </div>
        <div>
          <dt>Platforms</dt>
          <dd>{(c.platforms ?? []).join(', ') || '—'}</dd>
        </div>
      </dl>
      {s && (
        <section aria-labelledby="drawer-scores">
          <h3 id="drawer-scores" className="h3">
            Scores
          </h3>
          <dl className="facts">
            <div>
              <dt>Segment</dt>
              <dd>{s.segment}</dd>
            </div>
            <div>
              <dt>Churn 30 / 60 / 90 days</dt>
              <dd>
                {pct(s.churn_30)} / {pct(s.churn_60)} / {pct(s.churn_90)}
              </dd>
            </div>
            <div>
              <dt>Still active (P alive)</dt>
              <dd>{pct(s.p_alive)}</dd>
            </div>
            <div>
              <dt>Expected value, 12 months</dt>
              <dd>{money(s.expected_clv)}</dd>
            </div>
          </dl>
          {(s.reasons ?? []).length > 0 && <p>What drives the churn score most: {(s.reasons ?? []).map(words).join(', ')}.</p>}
        </section>
      )}
      <section aria-labelledby="drawer-ids">
        <h3 id="drawer-ids" className="h3">
          Identities across platforms
        </h3>
        {(d.identities ?? []).length === 0 ? (
          <p className="muted">No platform identity: this customer came from a file import or demo data.</p>
        ) : (
          <ul className="plain-list">
            {(d.identities ?? []).map((i) => (
              <li key={i.id}>
                <strong>{i.platform}</strong> {i.external_id} {i.email && `· ${i.email}`} · consent {consentWords[i.consent].toLowerCase()}
                {i.kept_apart && ' · kept apart'}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="drawer-orders">
        <h3 id="drawer-orders" className="h3">
          Orders {(d.orders ?? []).length > 0 && <span className="muted">(latest {(d.orders ?? []).length})</span>}
        </h3>
        {(d.orders ?? []).length === 0 ? (
          <p className="muted">No orders.</p>
        ) : (
          <table className="data-table">
            <caption className="visually-hidden">Orders, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Platform</th>
                <th scope="col" className="num">
                  Amount
                </th>
              </tr>
            </thead>
            <tbody>
              {(d.orders ?? []).map((o) => (
                <tr key={o.id}>
                  <td>{o.placed_at.slice(0, 10)}</td>
                  <td>{o.platform}</td>
                  <td className="num">{minor(o.amount_minor, o.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  )
}
