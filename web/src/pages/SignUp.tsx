import { useMutation } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'
import type { RegisterInput } from '../api/client'
import { useApi } from '../auth/session'
import { useEnterApp } from '../auth/useSignIn'
import { TextField } from '../components/Field'
import { FormAlert } from '../components/FormAlert'
import { splitErrors, useFormErrors } from '../lib/useFormErrors'
import { useDocumentTitle } from '../lib/useDocumentTitle'
import { passwordMax, passwordMin, validateSignUp } from '../lib/validation'

const fields = ['org_name', 'email', 'password'] as const

export function SignUp() {
  useDocumentTitle('Create your account')
  const api = useApi()
  const enterApp = useEnterApp()
  const [values, setValues] = useState<RegisterInput>({ org_name: '', email: '', password: '' })
  const { formRef, errors, show, showFields, clearField } = useFormErrors()
  const register = useMutation({
    mutationFn: (v: RegisterInput) => api.register(v),
    onSuccess: enterApp,
    onError: (err) =>
      show(splitErrors(err, fields, (e) => (e.status === 409 ? { email: 'An account with this email already exists. Sign in instead.' } : undefined))),
  })

  const set = (field: keyof RegisterInput) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: e.target.value }))
    clearField(field)
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const invalid = validateSignUp(values)
    if (Object.keys(invalid).length > 0) return showFields(invalid)
    register.mutate({ ...values, email: values.email.trim(), org_name: values.org_name.trim() })
  }

  return (
    <section className="auth-card" aria-labelledby="signup-title">
      <h1 id="signup-title">Create your account</h1>
      <p className="lede">Set up an organisation for your team. You will be its owner.</p>
      <form ref={formRef} onSubmit={submit} noValidate>
        <FormAlert messages={errors.form} />
        <TextField label="Organisation name" name="org_name" autoComplete="organization" value={values.org_name} onChange={set('org_name')} error={errors.fields.org_name} required />
        <TextField label="Work email" name="email" type="email" autoComplete="email" value={values.email} onChange={set('email')} error={errors.fields.email} required />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint={`${passwordMin} to ${passwordMax} characters. Avoid common passwords.`}
          value={values.password}
          onChange={set('password')}
          error={errors.fields.password}
          required
        />
        <button type="submit" className="button" disabled={register.isPending} aria-busy={register.isPending}>
          {register.isPending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link to="/signin">Sign in</Link>
      </p>
    </section>
  )
}
