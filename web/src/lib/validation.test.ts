import { describe, expect, it } from 'vitest'
import { checkEmail, checkPassword, validateInvite, validateSignIn, validateSignUp } from './validation'

describe('checkEmail', () => {
  const cases: [string, boolean][] = [
    ['ana@example.com', true],
    ['  ana@example.com ', true],
    ['ana.b+tag@sub.example.co.uk', true],
    ['', false],
    ['ana', false],
    ['ana@example', false],
    ['ana @example.com', false],
    ['@example.com', false],
    [`${'a'.repeat(250)}@example.com`, false],
  ]
  for (const [email, ok] of cases) {
    it(`${JSON.stringify(email)} is ${ok ? 'accepted' : 'refused'}`, () => {
      expect(checkEmail(email) === undefined).toBe(ok)
    })
  }
})

describe('checkPassword', () => {
  const cases: [string, string, string | undefined][] = [
    ['empty', '', 'Enter a password.'],
    ['11 characters', 'a'.repeat(11), 'Use at least 12 characters.'],
    ['12 characters', 'a'.repeat(12), undefined],
    ['128 characters', 'a'.repeat(128), undefined],
    ['129 characters', 'a'.repeat(129), 'Use at most 128 characters.'],
    // 12 emoji are 24 UTF-16 units but 12 characters.
    ['12 astral characters', '🔑'.repeat(12), undefined],
    ['6 astral characters', '🔑'.repeat(6), 'Use at least 12 characters.'],
  ]
  for (const [name, pw, want] of cases) {
    it(name, () => expect(checkPassword(pw)).toBe(want))
  }
})

describe('form validation', () => {
  it('reports every sign-up field at fault', () => {
    expect(validateSignUp({ org_name: ' ', email: 'x', password: 'short' })).toEqual({
      org_name: 'Enter the name of your organisation.',
      email: 'Enter an email address like name@example.com.',
      password: 'Use at least 12 characters.',
    })
  })

  it('accepts a complete sign-up', () => {
    expect(validateSignUp({ org_name: 'Acme Coffee', email: 'ana@example.com', password: 'correct horse battery' })).toEqual({})
  })

  it('refuses an org name over 100 characters', () => {
    expect(validateSignUp({ org_name: 'x'.repeat(101), email: 'ana@example.com', password: 'a'.repeat(12) })).toEqual({
      org_name: 'Use at most 100 characters.',
    })
  })

  it('does not apply the length rule to sign-in passwords', () => {
    expect(validateSignIn({ email: 'ana@example.com', password: 'short' })).toEqual({})
    expect(validateSignIn({ email: '', password: '' })).toEqual({ email: 'Enter your email address.', password: 'Enter your password.' })
  })

  it('checks the invite email', () => {
    expect(validateInvite({ email: 'bo@example.com' })).toEqual({})
    expect(validateInvite({ email: 'bo' })).toHaveProperty('email')
  })
})
