import { useCallback, useRef, useState } from 'react'
import { useSignedIn } from '../../app/RequireAuth'
import { useApi } from '../../auth/session'
import { messageOf } from '../States'
import { pct, num, money } from './format'
import { canPush, LastPush, PushDialog } from './PushDialog'
import { styleOf } from './projection'
import { downloadSegment, type Segment } from './queries'

/** One card per segment: what it is, how big, what it is worth, how at risk, what to do. */
export function SegmentCards({ segments }: { segments: Segment[] }) {
  return (
    <ul className="segment-grid" aria-label="Segments">
      {segments.map((s, i) => (
        <li key={s.id} className="panel segment-card">
          <SegmentCard segment={s} index={i} />
        </li>
      ))}
    </ul>
  )
}

function SegmentCard({ segment: s, index }: { segment: Segment; index: number }) {
  const { authFetch } = useApi()
  const me = useSignedIn()
  const [sending, setSending] = useState(false)
  const sendButton = useRef<HTMLButtonElement>(null)
  // Closing the dialog returns focus to the button that opened it.
  const closeSend = useCallback(() => {
    setSending(false)
    sendButton.current?.focus()
  }, [])
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false })
  const mix = (s.churn_mix ?? []).find((m) => m.horizon_days === 90) ?? (s.churn_mix ?? []).at(-1)
  const exportCsv = async () => {
    setState({ busy: true })
    try {
      await downloadSegment(authFetch, s)
      setState({ busy: false })
    } catch (err) {
      setState({ busy: false, error: messageOf(err) })
    }
  }
  return (
    <>
      <h3 className="segment-name">
        <span className="swatch" aria-hidden="true" ref={(el) => paint(el, styleOf(index).color)} />
        {s.name}
      </h3>
      <dl className="facts">
        <div>
          <dt>Customers</dt>
          <dd>
            {num(s.size)} <span className="muted">({pct(s.share)})</span>
          </dd>
        </div>
        <div>
          <dt>Revenue share</dt>
          <dd>{pct(s.revenue_share)}</dd>
        </div>
        <div>
          <dt>Median spend</dt>
          <dd>{money(s.profile.monetary_total)}</dd>
        </div>
        <div>
          <dt>Last order</dt>
          <dd>{Math.round(s.profile.recency_days)} days ago (median)</dd>
        </div>
      </dl>
      {mix && <ChurnMix horizon={mix.horizon_days} high={mix.high} medium={mix.medium} low={mix.low} />}
      <p className="segment-action">
        <strong>Suggested:</strong> {s.action}
      </p>
      <div className="actions">
        <button type="button" className="button button--small button--secondary" disabled={state.busy || s.exportable === 0} onClick={() => void exportCsv()}>
          {state.busy ? 'Exporting…' : `Export ${num(s.exportable)} consented as CSV`}
          <span className="visually-hidden"> from {s.name}</span>
        </button>
        {canPush(me.role) && (
          <button ref={sendButton} type="button" className="button button--small button--secondary" aria-haspopup="dialog" onClick={() => setSending(true)}>
            Send to…<span className="visually-hidden"> a platform: {s.name}</span>
          </button>
        )}
      </div>
      {state.error && <p className="field-error">{state.error}</p>}
      <LastPush segmentId={s.id} />
      {sending && <PushDialog segment={s} onClose={closeSend} />}
    </>
  )
}

// Colours come from data, and the policy forbids inline style attributes;
// setting the property through the DOM is allowed.
export function paint(el: HTMLElement | null, color: string) {
  if (el) el.style.backgroundColor = color
}

function setWidth(el: HTMLElement | null, w: string) {
  if (el) el.style.width = w
}

function ChurnMix({ horizon, high, medium, low }: { horizon: number; high: number; medium: number; low: number }) {
  const parts = [
    { key: 'high', label: 'high', v: high },
    { key: 'medium', label: 'medium', v: medium },
    { key: 'low', label: 'low', v: low },
  ]
  return (
    <div className="churn-mix">
      <p className="churn-mix-label">Churn risk in {horizon} days</p>
      <div className="mix-bar" aria-hidden="true">
        {parts.map((p) => (
          <span key={p.key} className={`mix mix--${p.key}`} ref={(el) => setWidth(el, pct(p.v, 1))} />
        ))}
      </div>
      <p className="mix-legend">
        {parts.map((p) => (
          <span key={p.key} className={`mix-key mix-key--${p.key}`}>
            {pct(p.v)} {p.label}
          </span>
        ))}
      </p>
    </div>
  )
}
