// Checks a form can make before calling the API, matching the server's rules
// so people see the problem at once. The server stays the authority: it also
// refuses common passwords, which are not listed here.

import type { FieldErrors } from '../api/problem'

export const passwordMin = 12
export const passwordMax = 128
export const orgNameMax = 100
export const emailMax = 254

// One @, something on each side, a dot in the domain, no spaces: enough to
// catch typos without rejecting addresses the server accepts.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

export function checkEmail(email: string): string | undefined {
  const v = email.trim()
  if (v === '') return 'Enter your email address.'
  if (v.length > emailMax) return `Use at most ${emailMax} characters.`
  if (!emailPattern.test(v)) return 'Enter an email address like name@example.com.'
  return undefined
}

export function checkPassword(password: string): string | undefined {
  // Count code points, not UTF-16 units, as the server does.
  const n = [...password].length
  if (n === 0) return 'Enter a password.'
  if (n < passwordMin) return `Use at least ${passwordMin} characters.`
  if (n > passwordMax) return `Use at most ${passwordMax} characters.`
  return undefined
}

export function checkOrgName(name: string): string | undefined {
  const v = name.trim()
  if (v === '') return 'Enter the name of your organisation.'
  if ([...v].length > orgNameMax) return `Use at most ${orgNameMax} characters.`
  return undefined
}

export interface SignUpValues {
  org_name: string
  email: string
  password: string
}

export function validateSignUp(v: SignUpValues): FieldErrors {
  return collect({ org_name: checkOrgName(v.org_name), email: checkEmail(v.email), password: checkPassword(v.password) })
}

export interface SignInValues {
  email: string
  password: string
}

export function validateSignIn(v: SignInValues): FieldErrors {
  return collect({ email: checkEmail(v.email), password: v.password === '' ? 'Enter your password.' : undefined })
}

export function validateInvite(v: { email: string }): FieldErrors {
  return collect({ email: checkEmail(v.email) })
}

function collect(checks: Record<string, string | undefined>): FieldErrors {
  const out: FieldErrors = {}
  for (const [field, msg] of Object.entries(checks)) if (msg) out[field] = msg
  return out
}
