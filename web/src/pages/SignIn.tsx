import { useMutation } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Link, useLocation } from 'react-router'
import type { LoginInput } from '../api/client'
import { ApiError } from '../api/problem'
import type { SignInState } from '../app/RequireAuth'
import { useApi } from '../auth/session'
import { useEnterApp } from '../auth/useSignIn'
import { TextField } from '../components/Field'
import { FormAlert } from '../components/FormAlert'
import { splitErrors, useFormErrors } from '../lib/useFormErrors'
import { useDocumentTitle } from '../lib/useDocumentTitle'
import { validateSignIn } from '../lib/validation'

const fields = ['email', 'password'] as const

const notices: Record<NonNullable<SignInState['notice']> | 'none', string> = {
  none: '',
  'signed-out': 'You have signed out.',
  expired: 'Your session has ended. Sign in again to continue.',
  required: 'Sign in to continue.',
}

export function SignIn() {
  useDocumentTitle('Sign in')
  const api = useApi()
  const enterApp = useEnterApp()
  const location = useLocation()
  const notice = notices[(location.state as SignInState | null)?.notice ?? 'none']
  const [values, setValues] = useState<LoginInput>({ email: '', password: '' })
  const { formRef, errors, show, showFields, clearField } = useFormErrors()
  const login = useMutation({
    mutationFn: (v: LoginInput) => api.login(v),
    onSuccess: enterApp,
    onError: (err) => {
      const split = splitErrors(err, fields)
      // Say nothing about which of the two was wrong.
      if (err instanceof ApiError && err.status === 401) split.form = ['The email or password is incorrect.']
      show(split)
    },
  })

  const set = (field: 'email' | 'password') => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: e.target.value }))
    clearField(field)
  }

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const invalid = validateSignIn(values)
    if (Object.keys(invalid).length > 0) return showFields(invalid)
    login.mutate({ ...values, email: values.email.trim() })
  }

  return (
    <section className="auth-card" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      {notice && errors.form.length === 0 && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form ref={formRef} onSubmit={submit} noValidate>
        <FormAlert messages={errors.form} />
        <TextField label="Email" name="email" type="email" autoComplete="username" value={values.email} onChange={set('email')} error={errors.fields.email} required />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" value={values.password} onChange={set('password')} error={errors.fields.password} required />
        <button type="submit" className="button" disabled={login.isPending} aria-busy={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth-switch">
        New to OmniFy? <Link to="/signup">Create an account</Link>
      </p>
    </section>
  )
}
