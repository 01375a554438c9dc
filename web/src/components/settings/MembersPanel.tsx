import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import type { Member, Role } from '../../api/client'
import { queryKeys, useApi } from '../../auth/session'
import { roleLabels } from '../../lib/roles'
import { FormAlert } from '../FormAlert'
import { InviteMemberForm } from '../InviteMemberForm'
import { EmptyState, ErrorState, Loading, messageOf } from '../States'
import { settingsApi } from './data'
import { memberActions } from './permissions'

/** Members with their roles; owners and admins change roles and remove people. */
export function MembersPanel({ orgId, myId, myRole }: { orgId: string; myId: string; myRole: Role }) {
  const api = useApi()
  const q = useInfiniteQuery({
    queryKey: queryKeys.members(orgId),
    queryFn: ({ pageParam }) => api.members(orgId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next || undefined,
  })
  const members = q.data?.pages.flatMap((p) => p.items ?? []) ?? []
  const manages = memberActions(myRole, { role: 'viewer' }).canChangeRole
  return (
    <section className="panel" aria-labelledby="members-title">
      <h2 id="members-title">Members and roles</h2>
      {q.isPending && <Loading label="Loading members…" />}
      {q.isError && <ErrorState title="Could not load members" error={q.error} onRetry={() => void q.refetch()} />}
      {q.isSuccess && members.length === 0 && <EmptyState title="No members yet" />}
      {members.length > 0 && <MemberList orgId={orgId} members={members} myId={myId} myRole={myRole} />}
      {q.hasNextPage && (
        <button type="button" className="button button--secondary" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          {q.isFetchingNextPage ? 'Loading…' : 'Show more members'}
        </button>
      )}
      {manages && <InviteMemberForm orgId={orgId} myRole={myRole} />}
    </section>
  )
}

function MemberList({ orgId, members, myId, myRole }: { orgId: string; members: Member[]; myId: string; myRole: Role }) {
  const api = useApi()
  const queryClient = useQueryClient()
  const [status, setStatus] = useState('')
  const [errors, setErrors] = useState<string[]>([])
  const done = async (msg: string) => {
    setErrors([])
    setStatus(msg)
    await queryClient.invalidateQueries({ queryKey: queryKeys.members(orgId) })
  }
  const fail = (err: unknown) => {
    setStatus('')
    setErrors([messageOf(err)])
  }
  const setRole = useMutation({
    mutationFn: (v: { m: Member; role: Role }) => settingsApi(api).setRole(orgId, v.m.user_id, v.role),
    onSuccess: (_, v) => done(`${v.m.email} is now ${roleLabels[v.role].toLowerCase()}.`),
    onError: fail,
  })
  const remove = useMutation({
    mutationFn: (m: Member) => settingsApi(api).remove(orgId, m.user_id),
    onSuccess: (_, m) => done(`${m.email} was removed.`),
    onError: fail,
  })
  return (
    <>
      <FormAlert messages={errors} />
      <table className="table members-table">
        <caption className="visually-hidden">Members and their roles</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => {
            const can = memberActions(myRole, m)
            return (
              <tr key={m.user_id}>
                <td data-label="Email">
                  <span>
                    {m.email}
                    {m.user_id === myId && <span className="tag">You</span>}
                  </span>
                </td>
                <td data-label="Role">
                  {can.canChangeRole ? (
                    <select
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      disabled={setRole.isPending}
                      onChange={(e) => setRole.mutate({ m, role: e.target.value as Role })}
                    >
                      {[...new Set([...can.roles, m.role])].map((r) => (
                        <option key={r} value={r}>
                          {roleLabels[r]}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <span className={`role role--${m.role}`}>{roleLabels[m.role]}</span>
                  )}
                </td>
                <td data-label="Actions">
                  {can.canRemove && (
                    <button
                      type="button"
                      className="button button--secondary button--small"
                      aria-label={`Remove ${m.email}`}
                      disabled={remove.isPending}
                      onClick={() => {
                        if (window.confirm(`Remove ${m.email} from the organisation?`)) remove.mutate(m)
                      }}
                    >
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      <p className="form-success" role="status" aria-live="polite">
        {status}
      </p>
    </>
  )
}
