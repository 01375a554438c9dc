import { describe, expect, it } from 'vitest'
import { palette, styleOf, toSeries, type Projection } from './projection'

function projection(segmentOf: number[], segments = 3): Projection {
  return {
    run_id: 'r1',
    total: segmentOf.length,
    sampled: false,
    segments: Array.from({ length: segments }, (_, i) => ({ id: `s${i}`, name: `Segment ${i}`, size: segmentOf.filter((s) => s === i).length })),
    x: segmentOf.map((_, i) => i),
    y: segmentOf.map((_, i) => -i),
    segment: segmentOf,
    customer_ids: segmentOf.map((_, i) => `c${i}`),
  }
}

describe('toSeries', () => {
  it('groups points by segment with their coordinates and index', () => {
    const s = toSeries(projection([0, 1, 0, 2]))
    expect(s.map((x) => x.id)).toEqual(['s0', 's1', 's2'])
    expect(s[0]?.points).toEqual([
      [0, -0, 0],
      [2, -2, 2],
    ])
    expect(s[0]?.color).toBe(palette[0])
  })

  it('thins each segment to its share and keeps tiny segments', () => {
    const seg = [...Array(900).fill(0), ...Array(99).fill(1), 2] as number[]
    const s = toSeries(projection(seg), 100)
    expect(s.map((x) => x.points.length)).toEqual([90, 10, 1])
  })

  it('drops segments with no points', () => {
    expect(toSeries(projection([0, 0], 3)).map((x) => x.id)).toEqual(['s0'])
  })
})

it('styleOf cycles colours, then symbols', () => {
  expect(styleOf(0)).toEqual({ color: palette[0], symbol: 'circle' })
  expect(styleOf(8)).toEqual({ color: palette[0], symbol: 'diamond' })
})
