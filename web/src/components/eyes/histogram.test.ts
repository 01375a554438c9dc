import { describe, expect, it } from 'vitest'
import { binProbabilities, riskOf } from './histogram'

describe('binProbabilities', () => {
  it.each([
    ['edges', [0, 0.1, 0.5, 0.99, 1], 10, [1, 1, 0, 0, 0, 1, 0, 0, 0, 2]],
    ['four bins', [0.2, 0.25, 0.74, 0.75], 4, [1, 1, 1, 1]],
    ['skips what is not a probability', [Number.NaN, -0.1, 1.2, 0.3], 2, [1, 0]],
    ['no values', [], 3, [0, 0, 0]],
  ])('%s', (_, values, bins, counts) => {
    const got = binProbabilities(values, bins)
    expect(got.map((b) => b.count)).toEqual(counts)
    expect(got[0]?.from).toBe(0)
    expect(got.at(-1)?.to).toBe(1)
  })
})

it.each([
  [0.7, 'high'],
  [0.69, 'medium'],
  [0.4, 'medium'],
  [0.39, 'low'],
])('riskOf(%s) is %s', (p, want) => {
  expect(riskOf(p)).toBe(want)
})
