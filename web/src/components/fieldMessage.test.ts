import { describe, expect, it } from 'vitest'
import { fieldMessage } from './fieldMessage'

describe('fieldMessage', () => {
  const cases: [string, string, string][] = [
    ['Password', 'is too common; choose a less predictable one', 'Password is too common; choose a less predictable one'],
    ['Password', 'must be at least 12 characters', 'Password must be at least 12 characters'],
    ['Work email', 'expected string to be RFC 5322 email', 'Expected string to be RFC 5322 email'],
    ['Email', 'Use at least 12 characters.', 'Use at least 12 characters.'],
    ['Email', 'issued elsewhere', 'Issued elsewhere'],
    ['Email', '  ', ''],
  ]
  for (const [label, msg, want] of cases) {
    it(`${label}: ${JSON.stringify(msg)}`, () => expect(fieldMessage(label, msg)).toBe(want))
  }
})
