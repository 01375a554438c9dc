import { useMemo, useState, type FormEvent } from 'react'
import { ApiError } from '../../api/problem'
import { unwrap } from '../../api/client'
import { useSignedIn } from '../../app/RequireAuth'
import { useApi } from '../../auth/session'
import { fieldMessage } from '../fieldMessage'
import { FormAlert } from '../FormAlert'
import { SelectField, TextField } from '../Field'
import { messageOf } from '../States'
import type { Platform } from './describe'
import { useConnect } from './queries'
import { fieldsFromSchema, humanize, serverFieldErrors, toPayload, validateFields, type FormField } from './schemaForm'

/** A connect form built from the platform's credential schema. */
export function ConnectForm({ platform, onDone }: { platform: Platform; onDone: () => void }) {
  const me = useSignedIn()
  const fields = useMemo(() => fieldsFromSchema(platform.credentials_schema, platform.secret_fields ?? []), [platform])
  const [values, setValues] = useState<Record<string, string>>({})
  const [errors, setErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string[]>([])
  const connect = useConnect(me.org.id)
  const idPrefix = `connect-${platform.platform}`

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    const form = e.currentTarget
    const local = validateFields(fields, values)
    setErrors(local)
    setFormError([])
    if (Object.keys(local).length > 0) return focusFirstInvalid(form)
    connect.mutate(
      { platform: platform.platform, credentials: toPayload(fields, values) },
      {
        onSuccess: onDone,
        onError: (err) => {
          const { fields: fe, form: rest } = splitServerErrors(err)
          setErrors(fe)
          setFormError(Object.keys(fe).length > 0 ? ['Correct the highlighted fields and try again.', ...rest] : rest)
          focusFirstInvalid(form)
        },
      },
    )
  }

  const set = (name: string, v: string) => {
    setValues((s) => ({ ...s, [name]: v }))
    if (errors[name]) setErrors(({ [name]: _, ...rest }) => rest)
  }

  return (
    <form className="connect-form" noValidate onSubmit={submit} aria-label={`Connect ${platform.display_name}`} id={idPrefix}>
      <FormAlert messages={formError} />
      {fields.map((f) => (
        <SchemaField key={f.name} field={f} value={values[f.name] ?? ''} error={errors[f.name]} onChange={(v) => set(f.name, v)} />
      ))}
      <p className="field-hint">Fields marked * are required. Secrets are encrypted and never shown again.</p>
      <div className="actions">
        <button type="submit" className="button" disabled={connect.isPending}>
          {connect.isPending ? 'Checking with ' + platform.display_name + '…' : 'Connect ' + platform.display_name}
        </button>
        <button type="button" className="button button--secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  )
}

/**
 * Errors of single credentials go next to their fields; the rest (the
 * platform refusing the credentials as a whole, say) to the form.
 */
function splitServerErrors(err: unknown): { fields: Record<string, string>; form: string[] } {
  if (!(err instanceof ApiError)) return { fields: {}, form: [messageOf(err)] }
  const fields = serverFieldErrors(err.fieldErrors)
  const form = [
    ...Object.entries(err.fieldErrors)
      .filter(([k]) => !k.startsWith('credentials.'))
      .map(([k, v]) => fieldMessage(k === 'credentials' ? 'The credentials' : humanize(k), v)),
    ...err.formErrors,
  ]
  if (form.length === 0 && Object.keys(fields).length === 0) form.push(err.message)
  return { fields, form }
}

function focusFirstInvalid(form: HTMLFormElement) {
  // After React has rendered the error state.
  setTimeout(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0)
}

function SchemaField({ field: f, value, error, onChange }: { field: FormField; value: string; error?: string | undefined; onChange: (v: string) => void }) {
  const label = f.required ? `${f.label} *` : f.label
  // Named by the plain label: the required mark belongs to the label only.
  error = error && fieldMessage(f.label, error)
  const hint = f.description ? f.description.charAt(0).toUpperCase() + f.description.slice(1) : undefined
  if (f.kind === 'select') {
    const options = [{ value: '', label: 'Choose…' }, ...(f.options ?? []).map((o) => ({ value: o, label: o }))]
    return <SelectField label={label} hint={hint} error={error} value={value} options={options} onChange={(e) => onChange(e.target.value)} required={f.required} />
  }
  if (f.kind === 'checkbox') {
    return (
      <label className="check-field">
        <input type="checkbox" checked={value === 'true'} onChange={(e) => onChange(String(e.target.checked))} /> {f.label}
      </label>
    )
  }
  return (
    <TextField
      label={label}
      hint={hint}
      error={error}
      type={f.kind}
      name={f.name}
      value={value}
      required={f.required}
      autoComplete={f.secret ? 'new-password' : 'off'}
      spellCheck={false}
      onChange={(e) => onChange(e.target.value)}
      {...(f.kind === 'number' ? { inputMode: 'numeric' as const } : {})}
    />
  )
}

/** Starts the platform's OAuth install; Shopify first needs the shop's domain. */
export function OAuthButton({ platform }: { platform: Platform }) {
  const { client } = useApi()
  const needsShop = platform.platform === 'shopify'
  const [shop, setShop] = useState('')
  const [error, setError] = useState<string | undefined>()
  const [busy, setBusy] = useState(false)
  const start = async (e: FormEvent) => {
    e.preventDefault()
    if (needsShop && !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop.trim())) {
      setError('Enter the shop’s domain, like acme.myshopify.com.')
      return
    }
    setBusy(true)
    setError(undefined)
    try {
      const out = await unwrap(
        client.GET('/v1/oauth/{platform}/start', {
          params: { path: { platform: platform.platform }, query: needsShop ? { shop: shop.trim() } : {} },
        }),
      )
      window.location.assign(out.authorize_url)
    } catch (err) {
      setError(err instanceof ApiError ? (err.fieldErrors['query.shop'] ?? err.message) : messageOf(err))
      setBusy(false)
    }
  }
  return (
    <form className="oauth-form" onSubmit={(e) => void start(e)} noValidate aria-label={`Install ${platform.display_name} by OAuth`}>
      {needsShop && <TextField label="Shop domain" hint="Like acme.myshopify.com" value={shop} error={error} onChange={(e) => setShop(e.target.value)} />}
      {!needsShop && error && <p className="field-error">{error}</p>}
      <div>
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Opening ' + platform.display_name + '…' : 'Install with ' + platform.display_name}
        </button>
      </div>
    </form>
  )
}
