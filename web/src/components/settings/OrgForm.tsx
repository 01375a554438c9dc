import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type ChangeEvent, type FormEvent } from 'react'
import { queryKeys, useApi } from '../../auth/session'
import { splitErrors, useFormErrors } from '../../lib/useFormErrors'
import { TextField } from '../Field'
import { FormAlert } from '../FormAlert'
import { settingsApi, settingsKeys, type OrgDetail } from './data'
import { colourProblem, logoProblem, themeStyle, type Branding } from './theme'

const fields = ['name', 'branding.display_name', 'branding.primary_color', 'branding.logo_url'] as const
const defaultColour = '#1d4ed8'

/** The org's name and branding, with a live preview; read-only below admin. */
export function OrgForm({ org, canEdit }: { org: OrgDetail; canEdit: boolean }) {
  const api = useApi()
  const queryClient = useQueryClient()
  const [name, setName] = useState(org.name)
  const [b, setB] = useState<Branding>(org.branding)
  const [saved, setSaved] = useState('')
  const { formRef, errors, show, showFields, clearField, reset } = useFormErrors()
  const save = useMutation({
    mutationFn: () => settingsApi(api).updateOrg(org.id, { name: name.trim(), branding: { ...b, display_name: b.display_name.trim() } }),
    onSuccess: async (next) => {
      reset()
      setSaved('Saved. The dashboard now uses this branding.')
      queryClient.setQueryData(settingsKeys.org(org.id), next)
      await queryClient.invalidateQueries({ queryKey: queryKeys.me })
    },
    onError: (err) => show(splitErrors(err, fields)),
  })
  const edit = (patch: Partial<Branding>, field: (typeof fields)[number]) => {
    setB((cur) => ({ ...cur, ...patch }))
    setSaved('')
    clearField(field)
  }
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const invalid: Record<string, string> = {}
    if (!name.trim()) invalid.name = 'is required'
    const colour = colourProblem(b.primary_color)
    if (colour) invalid['branding.primary_color'] = colour
    if (Object.keys(invalid).length > 0) return showFields(invalid)
    save.mutate()
  }
  const onLogo = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0]
    if (!file) return
    const problem = logoProblem(file)
    if (problem) return showFields({ 'branding.logo_url': problem })
    const reader = new FileReader()
    reader.onload = () => edit({ logo_url: String(reader.result) }, 'branding.logo_url')
    reader.readAsDataURL(file)
  }
  const colourValid = !colourProblem(b.primary_color)
  return (
    <form ref={formRef} className="org-form" onSubmit={submit} noValidate aria-labelledby="org-title">
      <h2 id="org-title">Organisation and branding</h2>
      {!canEdit && <p className="muted">Only owners and admins can change these.</p>}
      <FormAlert messages={errors.form} />
      <fieldset disabled={!canEdit} className="org-fields">
        <TextField label="Organisation name" name="org_name" value={name} maxLength={100} error={errors.fields.name}
          onChange={(e) => { setName(e.target.value); setSaved(''); clearField('name') }} />
        <TextField label="Display name" name="display_name" value={b.display_name} maxLength={100}
          hint="Shown in the dashboard header instead of the organisation name. Leave empty to use the name."
          error={errors.fields['branding.display_name']} onChange={(e) => edit({ display_name: e.target.value }, 'branding.display_name')} />
        <div className="colour-row">
          <TextField label="Primary colour" name="primary_color" value={b.primary_color} placeholder={defaultColour} maxLength={7}
            hint="#rrggbb. White text on it must have a contrast of at least 4.5:1. Empty uses the default blue."
            error={errors.fields['branding.primary_color']} onChange={(e) => edit({ primary_color: e.target.value.trim() }, 'branding.primary_color')} />
          <label className="colour-picker">
            <span className="visually-hidden">Pick the primary colour</span>
            <input type="color" value={colourValid && b.primary_color ? b.primary_color : defaultColour}
              onChange={(e) => edit({ primary_color: e.target.value }, 'branding.primary_color')} />
          </label>
        </div>
        <div className={errors.fields['branding.logo_url'] ? 'field field--invalid' : 'field'}>
          <label htmlFor="logo-file">Logo</label>
          <p className="field-hint" id="logo-hint">PNG, JPEG, GIF or WebP, at most 64 KiB. It is stored with the organisation, not linked.</p>
          <input id="logo-file" type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={onLogo}
            aria-describedby={errors.fields['branding.logo_url'] ? 'logo-error logo-hint' : 'logo-hint'} aria-invalid={Boolean(errors.fields['branding.logo_url'])} />
          {errors.fields['branding.logo_url'] && <p className="field-error" id="logo-error">Logo: {errors.fields['branding.logo_url']}</p>}
          {b.logo_url && (
            <button type="button" className="button button--secondary button--small" onClick={() => edit({ logo_url: '' }, 'branding.logo_url')}>
              Remove logo
            </button>
          )}
        </div>
      </fieldset>
      <BrandPreview name={b.display_name.trim() || name} branding={b} />
      {canEdit && (
        <button type="submit" className="button" disabled={save.isPending} aria-busy={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
      )}
      <p className="form-success" role="status" aria-live="polite">
        {saved}
      </p>
    </form>
  )
}

/** How the header and a button look with the branding being edited. */
export function BrandPreview({ name, branding }: { name: string; branding: Branding }) {
  return (
    <div className="brand-preview" style={themeStyle(branding)} aria-label="Preview" role="group">
      <p className="brand-preview-title">Preview</p>
      <div className="brand-preview-header">
        {branding.logo_url ? <img src={branding.logo_url} alt="" className="brand-logo" /> : <span className="brand-mark" aria-hidden="true" />}
        <span className="brand-preview-name">{name}</span>
      </div>
      <span className="button brand-preview-button" aria-hidden="true">
        Primary button
      </span>
      <span className="brand-preview-link">A link in this colour</span>
    </div>
  )
}
