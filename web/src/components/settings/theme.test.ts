import { describe, expect, it } from 'vitest'
import { colourProblem, contrastWithWhite, darken, logoProblem, themeStyle } from './theme'

describe('contrastWithWhite', () => {
  // The same hand-checked values the server's test uses.
  it.each([
    ['#000000', 21],
    ['#ffffff', 1],
    ['#767676', 4.54],
    ['#777777', 4.48],
    ['#1f4e79', 8.66],
  ])('%s → %s:1', (hex, want) => expect(contrastWithWhite(hex)).toBeCloseTo(want, 2))
})

describe('colourProblem', () => {
  it('accepts empty (the default) and dark colours', () => {
    expect(colourProblem('')).toBeUndefined()
    expect(colourProblem('#1F4E79')).toBeUndefined()
    expect(colourProblem('#767676')).toBeUndefined()
  })
  it('explains a light colour with its ratio', () => {
    expect(colourProblem('#777777')).toBe(
      'White text on #777777 has a contrast of 4.48:1, below the 4.5:1 needed to stay readable. Choose a darker colour.',
    )
  })
  it.each(['blue', '#fff', '1f4e79', '#1f4e7g'])('refuses %s', (c) => expect(colourProblem(c)).toMatch(/#rrggbb/))
})

describe('themeStyle', () => {
  it('sets the brand variables for a readable colour only', () => {
    expect(themeStyle({ primary_color: '#1f4e79' })).toEqual({ '--brand': '#1f4e79', '--brand-strong': darken('#1f4e79', 0.25) })
    expect(themeStyle({ primary_color: '#ffcc00' })).toEqual({})
    expect(themeStyle(undefined)).toEqual({})
  })
  it('darkens each channel', () => {
    expect(darken('#808080', 0.5)).toBe('#404040')
  })
})

describe('logoProblem', () => {
  it.each([
    [{ type: 'image/png', size: 1000 }, undefined],
    [{ type: 'image/webp', size: 64 * 1024 }, undefined],
    [{ type: 'image/png', size: 64 * 1024 + 1 }, 'The image is 65 KiB; logos may be at most 64 KiB.'],
    [{ type: 'image/svg+xml', size: 10 }, 'Choose a PNG, JPEG, GIF or WebP image.'],
  ])('%o', (file, want) => expect(logoProblem(file)).toBe(want))
})
