import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, type FieldErrors } from '../api/problem'
import { messageOf } from '../components/States'

export interface FormErrors {
  fields: FieldErrors
  form: string[]
}

const fixFields = 'Correct the highlighted fields and try again.'

/**
 * Splits a failed call into messages for the form's own fields and messages
 * for the form as a whole. A field error for a field the form does not show
 * goes to the form, so no message is ever lost. `extra` maps errors without
 * field locations (a 409 on sign-up, say) to the field they concern.
 */
export function splitErrors(err: unknown, known: readonly string[], extra?: (e: ApiError) => FieldErrors | undefined): FormErrors {
  if (!(err instanceof ApiError)) return { fields: {}, form: [messageOf(err)] }
  const fields: FieldErrors = {}
  const form = [...err.formErrors]
  for (const [field, msg] of Object.entries({ ...err.fieldErrors, ...extra?.(err) })) {
    if (known.includes(field)) fields[field] = msg
    else form.push(`${field}: ${msg}`)
  }
  if (Object.keys(fields).length > 0) form.unshift(fixFields)
  else if (form.length === 0) form.push(err.message)
  return { fields, form }
}

/** Form error state that moves focus to the first invalid field after each failed submit. */
export function useFormErrors() {
  const formRef = useRef<HTMLFormElement>(null)
  const [errors, setErrors] = useState<FormErrors>({ fields: {}, form: [] })
  const [attempt, setAttempt] = useState(0)

  useEffect(() => {
    if (attempt === 0) return
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')
    first?.focus()
  }, [attempt])

  const show = useCallback((next: FormErrors) => {
    setErrors(next)
    setAttempt((n) => n + 1)
  }, [])

  const showFields = useCallback((fields: FieldErrors) => show({ fields, form: [] }), [show])

  const clearField = useCallback((field: string) => {
    setErrors((e) => {
      if (!(field in e.fields)) return e
      const fields = { ...e.fields }
      delete fields[field]
      return { ...e, fields }
    })
  }, [])

  const reset = useCallback(() => setErrors({ fields: {}, form: [] }), [])

  return { formRef, errors, show, showFields, clearField, reset }
}
