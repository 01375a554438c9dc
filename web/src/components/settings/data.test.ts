import { describe, expect, it } from 'vitest'
import { auditFilterErrors, auditQuery, emptyAuditFilter } from './data'

describe('auditQuery', () => {
  it('leaves blank filters out', () => {
    expect(auditQuery(emptyAuditFilter)).toEqual({ limit: 50 })
    expect(auditQuery({ ...emptyAuditFilter, action: '   ' })).toEqual({ limit: 50 })
  })

  it('trims the action and passes the actor and cursor', () => {
    expect(auditQuery({ ...emptyAuditFilter, action: ' members.invite ', actorId: 'u1' }, 'cur')).toEqual({
      limit: 50,
      action: 'members.invite',
      actor_id: 'u1',
      after: 'cur',
    })
  })

  it('turns days into local midnights, until inclusive of its day', () => {
    // UTC+2 (getTimezoneOffset is -120): midnight local is 22:00 UTC the day before.
    expect(auditQuery({ ...emptyAuditFilter, since: '2026-03-01', until: '2026-03-31' }, undefined, -120)).toEqual({
      limit: 50,
      since: '2026-02-28T22:00:00.000Z',
      until: '2026-03-31T22:00:00.000Z',
    })
    // UTC-5 (offset 300).
    expect(auditQuery({ ...emptyAuditFilter, until: '2026-12-31' }, undefined, 300).until).toBe('2027-01-01T05:00:00.000Z')
  })
})

describe('auditFilterErrors', () => {
  it('refuses an until before since', () => {
    expect(auditFilterErrors({ ...emptyAuditFilter, since: '2026-03-02', until: '2026-03-01' })).toEqual({
      until: 'must be on or after the “since” day',
    })
    expect(auditFilterErrors({ ...emptyAuditFilter, since: '2026-03-01', until: '2026-03-01' })).toEqual({})
  })
})
