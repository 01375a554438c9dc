import { useInfiniteQuery } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import type { Member } from '../../api/client'
import { useApi } from '../../auth/session'
import { SelectField, TextField } from '../Field'
import { EmptyState, ErrorState, Loading } from '../States'
import { auditFilterErrors, auditQuery, emptyAuditFilter, settingsApi, settingsKeys, type AuditFilter } from './data'

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** The org's audit log, newest first, with filters and "load more". */
export function AuditLog({ orgId, members }: { orgId: string; members: Member[] }) {
  const api = useApi()
  const [draft, setDraft] = useState<AuditFilter>(emptyAuditFilter)
  const [filter, setFilter] = useState<AuditFilter>(emptyAuditFilter)
  const [invalid, setInvalid] = useState<Record<string, string>>({})
  const q = useInfiniteQuery({
    queryKey: settingsKeys.audit(orgId, filter),
    queryFn: ({ pageParam }) => settingsApi(api).audit(orgId, auditQuery(filter, pageParam)),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next || undefined,
  })
  const emailOf = (id: string | undefined) => (id ? (members.find((m) => m.user_id === id)?.email ?? id) : 'System')
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const errs = auditFilterErrors(draft)
    setInvalid(errs)
    if (Object.keys(errs).length === 0) setFilter(draft)
  }
  const items = q.data?.pages.flatMap((p) => p.items ?? []) ?? []
  const actors = [{ value: '', label: 'Anyone' }, ...members.map((m) => ({ value: m.user_id, label: m.email }))]
  return (
    <section className="panel" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <form className="audit-filters" onSubmit={submit} noValidate aria-label="Filter the audit log">
        <TextField label="Action" name="audit_action" value={draft.action} placeholder="e.g. members.invite"
          onChange={(e) => setDraft({ ...draft, action: e.target.value })} />
        <SelectField label="Actor" name="audit_actor" value={draft.actorId} options={actors}
          onChange={(e) => setDraft({ ...draft, actorId: e.target.value })} />
        <TextField label="Since" name="audit_since" type="date" value={draft.since} onChange={(e) => setDraft({ ...draft, since: e.target.value })} />
        <TextField label="Until" name="audit_until" type="date" value={draft.until} error={invalid.until}
          onChange={(e) => setDraft({ ...draft, until: e.target.value })} />
        <div className="audit-filter-buttons">
          <button type="submit" className="button">Apply filters</button>
          <button type="button" className="button button--secondary" onClick={() => { setDraft(emptyAuditFilter); setFilter(emptyAuditFilter); setInvalid({}) }}>
            Clear
          </button>
        </div>
      </form>
      {q.isPending && <Loading label="Loading the audit log…" />}
      {q.isError && <ErrorState title="Could not load the audit log" error={q.error} onRetry={() => void q.refetch()} />}
      {q.isSuccess && items.length === 0 && <EmptyState title="No events match these filters" />}
      {items.length > 0 && (
        <div className="table-scroll" tabIndex={0}>
          <table className="table audit-table">
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Target</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <td>{timeFormat.format(new Date(e.created_at))}</td>
                  <td><code>{e.action}</code></td>
                  <td>{emailOf(e.actor_id)}</td>
                  <td className="audit-target">{e.target}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {q.hasNextPage && (
        <button type="button" className="button button--secondary" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          {q.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  )
}
