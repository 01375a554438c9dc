import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useNavigate } from 'react-router'
import type { Me } from '../api/client'
import { queryKeys, useApi } from '../auth/session'
import { messageOf } from '../components/States'

/**
 * The current org's name; for people in several orgs (agencies) a menu that
 * switches the session to another org. Switching issues new tokens scoped to
 * that org, so the old org's cached data is dropped.
 */
export function OrgSwitcher({ me }: { me: Me }) {
  const api = useApi()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const switchOrg = useMutation({
    mutationFn: api.switchOrg,
    onSuccess: (s) => {
      // Show the new org at once and drop the old org's data before anything
      // refetches it with a token that no longer grants it.
      queryClient.setQueryData<Me>(queryKeys.me, (old) => old && { ...old, org: s.org, role: s.role })
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] === 'orgs' && q.queryKey[1] !== s.org.id })
      void queryClient.invalidateQueries({ queryKey: queryKeys.me })
      navigate('/home')
    },
  })
  const memberships = me.memberships ?? []
  if (memberships.length < 2) {
    return <span className="org-name">{me.org.name}</span>
  }
  return (
    <div className="org-switcher">
      <label htmlFor="org-switcher" className="visually-hidden">
        Organisation
      </label>
      <select
        id="org-switcher"
        value={me.org.id}
        disabled={switchOrg.isPending}
        onChange={(e) => switchOrg.mutate(e.target.value)}
        aria-describedby={switchOrg.isError ? 'org-switcher-error' : undefined}
      >
        {memberships.map((m) => (
          <option key={m.org_id} value={m.org_id}>
            {m.org_name}
          </option>
        ))}
      </select>
      {switchOrg.isError && (
        <span id="org-switcher-error" className="field-error" role="alert">
          {messageOf(switchOrg.error)}
        </span>
      )}
    </div>
  )
}
