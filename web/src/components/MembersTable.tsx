import type { Member } from '../api/client'
import { roleLabels } from '../lib/roles'

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' })

function joined(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? '' : dateFormat.format(d)
}

/** Members with their roles; on narrow screens each row becomes a card. */
export function MembersTable({ members, currentUserId }: { members: readonly Member[]; currentUserId: string }) {
  return (
    <table className="table members-table">
      <caption className="visually-hidden">Members and their roles</caption>
      <thead>
        <tr>
          <th scope="col">Email</th>
          <th scope="col">Role</th>
          <th scope="col">Joined</th>
        </tr>
      </thead>
      <tbody>
        {members.map((m) => (
          <tr key={m.user_id}>
            <td data-label="Email">
              <span>
                {m.email}
                {m.user_id === currentUserId && <span className="tag">You</span>}
              </span>
            </td>
            <td data-label="Role">
              <span className={`role role--${m.role}`}>{roleLabels[m.role]}</span>
            </td>
            <td data-label="Joined">{joined(m.joined_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
