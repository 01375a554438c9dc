import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { useSignedIn } from '../app/RequireAuth'
import { queryKeys, useApi } from '../auth/session'
import { AuditLog } from '../components/settings/AuditLog'
import { settingsApi, settingsKeys } from '../components/settings/data'
import { MembersPanel } from '../components/settings/MembersPanel'
import { OrgForm } from '../components/settings/OrgForm'
import { canEditOrg } from '../components/settings/permissions'
import { ErrorState, Loading } from '../components/States'
import { roleLabels } from '../lib/roles'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function Settings() {
  const me = useSignedIn()
  const api = useApi()
  useDocumentTitle('Settings · ' + me.org.name)
  const org = useQuery({ queryKey: settingsKeys.org(me.org.id), queryFn: () => settingsApi(api).org(me.org.id) })
  const admin = canEditOrg(me.role)
  return (
    <div className="page">
      <header className="page-header">
        <h1>Settings</h1>
        <p className="muted">
          {me.org.name} · signed in as {me.user.email} · {roleLabels[me.role]}
        </p>
      </header>
      <section className="panel">
        {org.isPending && <Loading label="Loading the organisation…" />}
        {org.isError && <ErrorState title="Could not load the organisation" error={org.error} onRetry={() => void org.refetch()} />}
        {org.isSuccess && <OrgForm key={org.data.id} org={org.data} canEdit={admin} />}
      </section>
      <MembersPanel orgId={me.org.id} myId={me.user.id} myRole={me.role} />
      {admin && <AuditSection orgId={me.org.id} />}
      <section className="panel" aria-labelledby="session-title">
        <h2 id="session-title">Session</h2>
        <p>Signing out ends this session on this device.</p>
        <button type="button" className="button button--secondary" onClick={() => void api.logout()}>
          Sign out of OmniFy
        </button>
      </section>
    </div>
  )
}

/** The audit log, with the members list naming the actors. */
function AuditSection({ orgId }: { orgId: string }) {
  const api = useApi()
  const q = useInfiniteQuery({
    queryKey: queryKeys.members(orgId),
    queryFn: ({ pageParam }) => api.members(orgId, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next || undefined,
  })
  return <AuditLog orgId={orgId} members={q.data?.pages.flatMap((p) => p.items ?? []) ?? []} />
}
