import type { Role } from '../../api/client'

// Mirrors the server's permission table (api/rbac.go).
const rank: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2, owner: 3 }

/** connections.connect, .update and .delete: admins and owners. */
export const canConnect = (r: Role) => rank[r] >= rank.admin
/** connections.sync and imports.create: analysts and up. */
export const canSync = (r: Role) => rank[r] >= rank.analyst
