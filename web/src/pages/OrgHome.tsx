import { useInfiniteQuery } from '@tanstack/react-query'
import { useSignedIn } from '../app/RequireAuth'
import { queryKeys, useApi } from '../auth/session'
import { InviteMemberForm } from '../components/InviteMemberForm'
import { MembersTable } from '../components/MembersTable'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { canManageMembers, roleLabels } from '../lib/roles'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function OrgHome() {
  const me = useSignedIn()
  useDocumentTitle(me.org.name)
  return (
    <div className="page">
      <header className="page-header">
        <h1>{me.org.name}</h1>
        <p className="muted">
          Signed in as {me.user.email} · {roleLabels[me.role]}
        </p>
      </header>
      <section className="panel" aria-labelledby="members-title">
        <h2 id="members-title">Members</h2>
        <Members orgId={me.org.id} userId={me.user.id} />
      </section>
      {canManageMembers(me.role) && (
        <section className="panel">
          <InviteMemberForm orgId={me.org.id} myRole={me.role} />
        </section>
      )}
    </div>
  )
}

function Members({ orgId, userId }: { orgId: string; userId: string }) {
  const api = useApi()
  const q = useInfiniteQuery({
    queryKey: queryKeys.members(orgId),
    queryFn: ({ pageParam }) => api.members(orgId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next || undefined,
  })
  if (q.isPending) return <Loading label="Loading members…" />
  if (q.isError) return <ErrorState title="Could not load members" error={q.error} onRetry={() => void q.refetch()} />
  const members = q.data.pages.flatMap((p) => p.items ?? [])
  if (members.length === 0) return <EmptyState title="No members yet" />
  return (
    <>
      <MembersTable members={members} currentUserId={userId} />
      {q.hasNextPage && (
        <button type="button" className="button button--secondary" onClick={() => void q.fetchNextPage()} disabled={q.isFetchingNextPage}>
          {q.isFetchingNextPage ? 'Loading…' : 'Show more members'}
        </button>
      )}
    </>
  )
}
