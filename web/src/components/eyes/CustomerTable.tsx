import { useVirtualizer } from '@tanstack/react-virtual'
import { useId, useMemo, useRef, useState } from 'react'
import { SelectField, TextField } from '../Field'
import { EmptyState } from '../States'
import { money, num, pct, words } from './format'
import { riskOf, type Risk } from './histogram'
import type { Segment } from './queries'
import { customerLabel, filterRows, firstDir, sortRows, type EyesCustomer, type SortDir, type SortKey, type TableFilter } from './table'

const columns: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'customer', label: 'Customer' },
  { key: 'segment', label: 'Segment' },
  { key: 'churn_30', label: 'Churn 30d', numeric: true },
  { key: 'churn_60', label: 'Churn 60d', numeric: true },
  { key: 'churn_90', label: 'Churn 90d', numeric: true },
  { key: 'expected_clv', label: 'Expected value (12 mo)', numeric: true },
]

const riskOptions: { value: Risk | ''; label: string }[] = [
  { value: '', label: 'Any risk' },
  { value: 'high', label: 'High (70% and over)' },
  { value: 'medium', label: 'Medium (40–70%)' },
  { value: 'low', label: 'Low (under 40%)' },
]

// Tall enough for the name's link and the email beneath it; every row has
// this height so the virtualizer's estimate is exact.
const rowHeight = 66
const emailStyle = { display: 'block', fontSize: '0.85rem', lineHeight: 1.2 } as const

/** Every scored customer, sortable and filterable, drawing only the rows in view. */
export function CustomerTable({ rows, segments, onOpen }: { rows: readonly EyesCustomer[]; segments: Segment[]; onOpen: (id: string, opener: HTMLElement) => void }) {
  const [filter, setFilter] = useState<TableFilter>({ segment: '', risk: '', query: '' })
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: 'churn_90', dir: 'desc' })
  const shown = useMemo(() => sortRows(filterRows(rows, filter), sort.key, sort.dir), [rows, filter, sort])
  const scroller = useRef<HTMLDivElement>(null)
  const v = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 8 })
  const items = v.getVirtualItems()
  const top = items[0]?.start ?? 0
  const bottom = v.getTotalSize() - (items.at(-1)?.end ?? 0)
  const captionId = useId()

  const sortBy = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: firstDir(key) }))

  return (
    <section className="panel" aria-labelledby={captionId}>
      <h2 id={captionId}>Customers</h2>
      <div className="table-filters">
        <SelectField
          label="Segment"
          value={filter.segment}
          options={[{ value: '', label: 'All segments' }, ...segments.map((s) => ({ value: s.id, label: s.name }))]}
          onChange={(e) => setFilter((f) => ({ ...f, segment: e.target.value }))}
        />
        <SelectField label="90-day churn risk" value={filter.risk} options={riskOptions} onChange={(e) => setFilter((f) => ({ ...f, risk: e.target.value as Risk | '' }))} />
        <TextField label="Name, email or ID contains" type="search" value={filter.query ?? ''} onChange={(e) => setFilter((f) => ({ ...f, query: e.target.value }))} />
      </div>
      <p className="muted" aria-live="polite">
        {num(shown.length)} of {num(rows.length)} customers
      </p>
      {shown.length === 0 ? (
        <EmptyState title="No customer matches these filters" />
      ) : (
        <div ref={scroller} className="virtual-scroll" tabIndex={0} role="region" aria-label="Customer rows, scrollable">
          <table className="data-table customer-table" aria-rowcount={shown.length + 1}>
            <caption className="visually-hidden">Customers of the latest EYES run, sorted by {columns.find((c) => c.key === sort.key)?.label}</caption>
            <thead>
              <tr aria-rowindex={1}>
                {columns.map((c) => (
                  <th key={c.key} scope="col" aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={c.numeric ? 'num' : undefined}>
                    <button type="button" className="sort-button" onClick={() => sortBy(c.key)}>
                      {c.label}
                      <span aria-hidden="true">{sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                    </button>
                  </th>
                ))}
                <th scope="col">Risk drivers</th>
              </tr>
            </thead>
            <tbody>
              {top > 0 && <tr className="spacer" aria-hidden="true"><td colSpan={7} ref={(el) => spacer(el, top)} /></tr>}
              {items.map((it) => {
                const r = shown[it.index]
                if (!r) return null
                return (
                  <tr key={r.customer_id} aria-rowindex={it.index + 2} className="customer-row" style={{ height: rowHeight }}>
                    <td className="customer-cell">
                      <button type="button" className="link-button" title={r.customer_id} onClick={(e) => onOpen(r.customer_id, e.currentTarget)}>
                        {customerLabel(r)}
                      </button>
                      {r.name && r.email && <span className="customer-email muted" style={emailStyle}>{r.email}</span>}
                    </td>
                    <td>{r.segment}</td>
                    <Risky p={r.churn_30} />
                    <Risky p={r.churn_60} />
                    <Risky p={r.churn_90} />
                    <td className="num">{money(r.expected_clv)}</td>
                    <td className="reasons">{(r.reasons ?? []).map(words).join(', ') || '—'}</td>
                  </tr>
                )
              })}
              {bottom > 0 && <tr className="spacer" aria-hidden="true"><td colSpan={7} ref={(el) => spacer(el, bottom)} /></tr>}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function spacer(el: HTMLElement | null, h: number) {
  if (el) el.style.height = `${h}px`
}

function Risky({ p }: { p: number }) {
  const r = riskOf(p)
  return (
    <td className={`num risk risk--${r}`}>
      {pct(p)} <span className="risk-word">{r}</span>
    </td>
  )
}
