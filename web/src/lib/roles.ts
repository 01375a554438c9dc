import type { Role } from '../api/client'

export const roleLabels: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  analyst: 'Analyst',
  viewer: 'Viewer',
}

export const roleDescriptions: Record<Role, string> = {
  owner: 'Everything, including billing and other owners',
  admin: 'Manages members, connections and settings',
  analyst: 'Runs analyses and exports',
  viewer: 'Reads dashboards',
}

/** Mirrors the server's rule: admins and owners manage members. */
export function canManageMembers(role: Role): boolean {
  return role === 'owner' || role === 'admin'
}

/** Only an owner may grant the owner role. */
export function assignableRoles(role: Role): Role[] {
  const all: Role[] = ['viewer', 'analyst', 'admin']
  return role === 'owner' ? [...all, 'owner'] : all
}
