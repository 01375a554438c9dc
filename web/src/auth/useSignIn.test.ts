import { describe, expect, it } from 'vitest'
import { returnPath } from './useSignIn'

describe('returnPath', () => {
  const cases: [string, unknown, string][] = [
    ['no state', null, '/home'],
    ['a page of the app', { from: '/home?tab=members' }, '/home?tab=members'],
    ['an absolute URL', { from: 'https://evil.example/' }, '/home'],
    ['a protocol-relative URL', { from: '//evil.example/' }, '/home'],
    ['a backslash that URL parsing reads as a slash', { from: '/\\evil.example/' }, '/home'],
    ['not a string', { from: 42 }, '/home'],
  ]
  for (const [name, state, want] of cases) {
    it(name, () => expect(returnPath(state)).toBe(want))
  }
})
