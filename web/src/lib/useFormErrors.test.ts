import { describe, expect, it } from 'vitest'
import { ApiError, networkError } from '../api/problem'
import { splitErrors } from './useFormErrors'

const fields = ['email', 'password'] as const

describe('splitErrors', () => {
  it('keeps field errors for known fields and says so above the form', () => {
    const err = new ApiError(422, 'Unprocessable Entity', 'validation failed', { password: 'too short' })
    expect(splitErrors(err, fields)).toEqual({
      fields: { password: 'too short' },
      form: ['Correct the highlighted fields and try again.'],
    })
  })

  it('moves errors for fields the form does not show to the form', () => {
    const err = new ApiError(422, 'Unprocessable Entity', 'validation failed', { org_id: 'unknown org' }, ['path.x: bad'])
    expect(splitErrors(err, fields)).toEqual({ fields: {}, form: ['path.x: bad', 'org_id: unknown org'] })
  })

  it('maps a status to a field through extra', () => {
    const err = new ApiError(409, 'Conflict', 'email already registered')
    const out = splitErrors(err, fields, (e) => (e.status === 409 ? { email: 'taken' } : undefined))
    expect(out.fields).toEqual({ email: 'taken' })
  })

  it('uses the detail when nothing points at a field', () => {
    expect(splitErrors(new ApiError(429, 'Too Many Requests', 'too many requests, retry later'), fields)).toEqual({
      fields: {},
      form: ['too many requests, retry later'],
    })
  })

  it('explains a network failure', () => {
    expect(splitErrors(networkError(new TypeError('Failed to fetch')), fields).form[0]).toMatch(/Cannot reach the OmniFy server/)
  })

  it('never shows the text of an unexpected exception', () => {
    expect(splitErrors(new Error('secret internals'), fields).form).toEqual([
      'An unexpected error occurred. Reload the page and try again.',
    ])
  })
})
