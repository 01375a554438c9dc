import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import type { Member, Role } from '../api/client'
import { queryKeys, useApi } from '../auth/session'
import { assignableRoles, roleDescriptions, roleLabels } from '../lib/roles'
import { splitErrors, useFormErrors } from '../lib/useFormErrors'
import { validateInvite } from '../lib/validation'
import { SelectField, TextField } from './Field'
import { FormAlert } from './FormAlert'

const fields = ['email', 'role'] as const

/** Adds an existing OmniFy account to the org with a role. */
export function InviteMemberForm({ orgId, myRole }: { orgId: string; myRole: Role }) {
  const api = useApi()
  const queryClient = useQueryClient()
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<Role>('viewer')
  const [added, setAdded] = useState<Member | null>(null)
  const { formRef, errors, show, showFields, clearField, reset } = useFormErrors()
  const invite = useMutation({
    mutationFn: () => api.invite(orgId, { email: email.trim(), role }),
    onSuccess: async (member) => {
      setAdded(member)
      setEmail('')
      reset()
      await queryClient.invalidateQueries({ queryKey: queryKeys.members(orgId) })
    },
    // The server answers "no such account" and "already a member" without a
    // field location; both are about the email.
    onError: (err) =>
      show(splitErrors(err, fields, (e) => (e.status === 404 || e.status === 409 ? { email: e.message } : undefined))),
  })

  const submit = (e: FormEvent) => {
    e.preventDefault()
    setAdded(null)
    const invalid = validateInvite({ email })
    if (Object.keys(invalid).length > 0) return showFields(invalid)
    invite.mutate()
  }

  const options = assignableRoles(myRole).map((r) => ({ value: r, label: `${roleLabels[r]} — ${roleDescriptions[r]}` }))

  return (
    <form ref={formRef} className="invite-form" onSubmit={submit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">Invite a teammate</h2>
      <FormAlert messages={errors.form} />
      <div className="invite-fields">
        <TextField
          label="Email"
          name="invite_email"
          type="email"
          autoComplete="off"
          hint="They need an OmniFy account first."
          value={email}
          onChange={(e) => {
            setEmail(e.target.value)
            clearField('email')
          }}
          error={errors.fields.email}
        />
        <SelectField label="Role" name="invite_role" value={role} options={options} onChange={(e) => setRole(e.target.value as Role)} error={errors.fields.role} />
      </div>
      <button type="submit" className="button" disabled={invite.isPending} aria-busy={invite.isPending}>
        {invite.isPending ? 'Adding…' : 'Add to organisation'}
      </button>
      <p className="form-success" role="status" aria-live="polite">
        {added ? `${added.email} was added as ${roleLabels[added.role].toLowerCase()}.` : ''}
      </p>
    </form>
  )
}
