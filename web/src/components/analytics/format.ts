// Number formatting for reports: money in minor units, shares and trends
// in plain words.

/** Formats integer minor units of currency, e.g. 123456 USD → "$1,234.56". */
export function money(minor: number, currency: string): string {
  if (!currency) return (minor / 100).toLocaleString(undefined, { maximumFractionDigits: 2 })
  try {
    const f = new Intl.NumberFormat(undefined, { style: 'currency', currency })
    const digits = f.resolvedOptions().maximumFractionDigits ?? 2
    return f.format(minor / 10 ** digits)
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`
  }
}

/** A share 0..1 as a whole percentage, one decimal under 10 %. */
export function percent(share: number): string {
  const p = share * 100
  return `${p !== 0 && Math.abs(p) < 10 ? p.toFixed(1) : Math.round(p).toString()}%`
}

export type TrendDirection = 'up' | 'down' | 'flat' | 'none'

export interface Trend {
  direction: TrendDirection
  /** e.g. "▲ 75%" — the visual badge. */
  badge: string
  /** e.g. "up 75% on the previous 30 days" — read by screen readers too. */
  text: string
}

/**
 * Describes a relative change (0.75 = +75 %) against the previous period.
 * null means there was nothing to compare with. Changes under half a
 * percent count as flat.
 */
export function trend(change: number | null | undefined, period = 'the previous 30 days'): Trend {
  if (change === null || change === undefined || !Number.isFinite(change)) {
    return { direction: 'none', badge: 'New', text: `nothing to compare with in ${period}` }
  }
  const pct = Math.round(Math.abs(change) * 100)
  if (pct === 0) return { direction: 'flat', badge: '→ 0%', text: `about the same as ${period}` }
  if (change > 0) return { direction: 'up', badge: `▲ ${pct}%`, text: `up ${pct}% on ${period}` }
  return { direction: 'down', badge: `▼ ${pct}%`, text: `down ${pct}% on ${period}` }
}

/** Dates of periods as short labels for the interval. */
export function periodLabel(iso: string, interval: 'day' | 'week' | 'month'): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  if (interval === 'month') return d.toLocaleDateString(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' })
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' })
}
