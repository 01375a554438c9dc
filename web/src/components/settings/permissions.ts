import type { Role } from '../../api/client'
import { assignableRoles, canManageMembers } from '../../lib/roles'

export interface MemberActions {
  canChangeRole: boolean
  roles: Role[]
  canRemove: boolean
}

/**
 * What the signed-in member may do to another member, mirroring the
 * server's rules: owners and admins manage members, only owners touch
 * owners or grant the owner role. The server still refuses to leave an org
 * without an owner; the page shows its answer.
 */
export function memberActions(myRole: Role, target: { role: Role }): MemberActions {
  if (!canManageMembers(myRole) || (target.role === 'owner' && myRole !== 'owner')) {
    return { canChangeRole: false, roles: [], canRemove: false }
  }
  return { canChangeRole: true, roles: assignableRoles(myRole), canRemove: true }
}

/** Only owners and admins change the org's name and branding or read the audit log. */
export const canEditOrg = canManageMembers
