import { describe, expect, it } from 'vitest'
import { cohortGrid } from './cohorts'

describe('cohortGrid', () => {
  it('pads young cohorts and rounds to one decimal', () => {
    const grid = cohortGrid({
      cohorts: [
        { month: '2026-01', customers: 3, active: [3, 1, 2], retention: [1, 1 / 3, 2 / 3] },
        { month: '2026-02', customers: 2, active: [2, 1], retention: [1, 0.5] },
        { month: '2026-03', customers: 4, active: [4], retention: [1] },
      ],
    })
    expect(grid.columns).toEqual(['Month 0', 'Month 1', 'Month 2'])
    expect(grid.rows).toEqual([
      { month: '2026-01', customers: 3, cells: [100, 33.3, 66.7] },
      { month: '2026-02', customers: 2, cells: [100, 50, null] },
      { month: '2026-03', customers: 4, cells: [100, null, null] },
    ])
    // Heat-map points are [column, row, %], empty cells left out.
    expect(grid.points).toEqual([
      [0, 0, 100],
      [1, 0, 33.3],
      [2, 0, 66.7],
      [0, 1, 100],
      [1, 1, 50],
      [0, 2, 100],
    ])
  })

  it('is empty without cohorts', () => {
    expect(cohortGrid({ cohorts: [] })).toEqual({ columns: [], rows: [], points: [] })
  })
})
