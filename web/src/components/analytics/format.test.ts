import { describe, expect, it } from 'vitest'
import { money, percent, trend } from './format'

describe('trend', () => {
  it.each([
    [0.75, 'up', '▲ 75%', 'up 75% on the previous 30 days'],
    [-0.204, 'down', '▼ 20%', 'down 20% on the previous 30 days'],
    [0.004, 'flat', '→ 0%', 'about the same as the previous 30 days'],
    [-0.004, 'flat', '→ 0%', 'about the same as the previous 30 days'],
    [2, 'up', '▲ 200%', 'up 200% on the previous 30 days'],
    [null, 'none', 'New', 'nothing to compare with in the previous 30 days'],
    [undefined, 'none', 'New', 'nothing to compare with in the previous 30 days'],
    [Number.POSITIVE_INFINITY, 'none', 'New', 'nothing to compare with in the previous 30 days'],
  ])('describes %s', (change, direction, badge, text) => {
    expect(trend(change)).toEqual({ direction, badge, text })
  })

  it('names another period', () => {
    expect(trend(-1, 'last week').text).toBe('down 100% on last week')
  })
})

describe('percent', () => {
  it.each([
    [1, '100%'],
    [1 / 3, '33%'],
    [0.0512, '5.1%'],
    [0, '0%'],
  ])('%s → %s', (share, want) => expect(percent(share)).toBe(want))
})

describe('money', () => {
  it('uses the currency minor units', () => {
    expect(money(123456, 'USD')).toMatch(/1,234\.56/)
    expect(money(500, 'JPY')).toMatch(/500/)
    expect(money(500, 'JPY')).not.toMatch(/5\.00/)
  })
  it('copes with an unknown or missing currency', () => {
    expect(money(1050, '')).toBe((10.5).toLocaleString(undefined, { maximumFractionDigits: 2 }))
    expect(money(1050, 'not-a-currency')).toBe('10.50 not-a-currency')
  })
})
