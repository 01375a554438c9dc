// Turns the projection endpoint's parallel arrays into one scatter series
// per segment, sampled to what the chart draws smoothly.

import type { Success } from '../../api/client'

export type Projection = Success<'eyes.projection'>

/**
 * Segment colours: the Okabe–Ito palette, told apart with the common forms
 * of colour blindness; segments past eight reuse it with other symbols.
 */
export const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const
export const symbols = ['circle', 'diamond', 'triangle', 'rect'] as const

export interface SegmentSeries {
  id: string
  name: string
  color: string
  symbol: string
  /** Points as [x, y, index into the projection]. */
  points: [number, number, number][]
}

/** Colour and symbol of the segment at index i. */
export function styleOf(i: number): { color: string; symbol: string } {
  return {
    color: palette[i % palette.length] ?? palette[0],
    symbol: symbols[Math.floor(i / palette.length) % symbols.length] ?? 'circle',
  }
}

/**
 * One series per segment. At most maxPoints points in all: each segment is
 * thinned at an even stride to its share, keeping at least one point.
 */
export function toSeries(p: Projection, maxPoints = Number.POSITIVE_INFINITY): SegmentSeries[] {
  const xs = p.x ?? []
  const ys = p.y ?? []
  const segOf = p.segment ?? []
  const n = xs.length
  const series: SegmentSeries[] = (p.segments ?? []).map((s, i) => ({ id: s.id, name: s.name, ...styleOf(i), points: [] }))
  const members: number[][] = series.map(() => [])
  for (let i = 0; i < n; i++) members[segOf[i] ?? 0]?.push(i)
  const ratio = n > maxPoints ? maxPoints / n : 1
  members.forEach((idx, s) => {
    const keep = ratio === 1 ? idx.length : Math.min(idx.length, Math.max(1, Math.round(idx.length * ratio)))
    const step = idx.length / Math.max(1, keep)
    const out = series[s]
    if (!out) return
    for (let j = 0; j < keep; j++) {
      const i = idx[Math.floor(j * step)]
      if (i !== undefined) out.points.push([xs[i] ?? 0, ys[i] ?? 0, i])
    }
  })
  return series.filter((s) => s.points.length > 0)
}
