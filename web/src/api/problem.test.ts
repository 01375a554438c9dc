import { describe, expect, it } from 'vitest'
import { problemToError, responseToError } from './problem'

describe('problemToError', () => {
  const cases = [
    {
      name: 'field errors from body locations',
      status: 422,
      body: {
        title: 'Unprocessable Entity',
        status: 422,
        detail: 'validation failed',
        errors: [
          { location: 'body.password', message: 'expected length >= 12', value: 'short' },
          { location: 'body.email', message: 'expected string to be RFC 5322 email' },
        ],
      },
      want: {
        message: 'validation failed',
        fieldErrors: { password: 'expected length >= 12', email: 'expected string to be RFC 5322 email' },
        formErrors: [],
      },
    },
    {
      name: 'several messages for one field are joined',
      status: 422,
      body: {
        detail: 'validation failed',
        errors: [
          { location: 'body.password', message: 'too short' },
          { location: 'body.password', message: 'is a common password' },
        ],
      },
      want: { message: 'validation failed', fieldErrors: { password: 'too short; is a common password' }, formErrors: [] },
    },
    {
      name: 'nested body locations keep their path',
      status: 422,
      body: { detail: 'bad', errors: [{ location: 'body.members[0].email', message: 'invalid' }] },
      want: { message: 'bad', fieldErrors: { 'members[0].email': 'invalid' }, formErrors: [] },
    },
    {
      name: 'non-body locations belong to the form',
      status: 422,
      body: {
        detail: 'validation failed',
        errors: [{ location: 'path.org_id', message: 'too long' }, { location: 'body', message: 'unexpected property' }, { message: 'odd' }],
      },
      want: { message: 'validation failed', fieldErrors: {}, formErrors: ['path.org_id: too long', 'body: unexpected property', 'odd'] },
    },
    {
      name: 'detail without errors',
      status: 409,
      body: { title: 'Conflict', status: 409, detail: 'email already registered' },
      want: { message: 'email already registered', fieldErrors: {}, formErrors: [] },
    },
    {
      name: 'title when there is no detail',
      status: 403,
      body: { title: 'Forbidden', status: 403 },
      want: { message: 'Forbidden', fieldErrors: {}, formErrors: [] },
    },
    {
      name: 'plain text body',
      status: 502,
      body: 'Bad gateway from proxy',
      want: { message: 'Bad gateway from proxy', fieldErrors: {}, formErrors: [] },
    },
    {
      name: 'no body falls back to the status',
      status: 500,
      body: undefined,
      want: { message: 'HTTP 500', fieldErrors: {}, formErrors: [] },
    },
    {
      name: 'malformed errors entries are skipped',
      status: 422,
      body: { detail: 'x', errors: [null, 7, { location: 'body.email', message: '  ' }, { location: 'body.name', message: 'blank' }] },
      want: { message: 'x', fieldErrors: { name: 'blank' }, formErrors: [] },
    },
  ]
  for (const tc of cases) {
    it(tc.name, () => {
      const err = problemToError(tc.status, tc.body)
      expect(err.status).toBe(tc.status)
      expect(err.message).toBe(tc.want.message)
      expect(err.fieldErrors).toEqual(tc.want.fieldErrors)
      expect(err.formErrors).toEqual(tc.want.formErrors)
      expect(err.hasFieldErrors).toBe(Object.keys(tc.want.fieldErrors).length > 0)
    })
  }
})

describe('responseToError', () => {
  it('parses a problem+json response', async () => {
    const res = new Response(JSON.stringify({ title: 'Unprocessable Entity', detail: 'validation failed', errors: [{ location: 'body.org_name', message: 'required' }] }), {
      status: 422,
      headers: { 'Content-Type': 'application/problem+json' },
    })
    const err = await responseToError(res)
    expect(err.title).toBe('Unprocessable Entity')
    expect(err.fieldErrors).toEqual({ org_name: 'required' })
  })

  it('does not show an HTML error page as the message', async () => {
    const err = await responseToError(new Response('<html>oops</html>', { status: 502, statusText: 'Bad Gateway' }))
    expect(err.title).toBe('Bad Gateway')
    expect(err.message).toBe('Bad Gateway')
  })
})
