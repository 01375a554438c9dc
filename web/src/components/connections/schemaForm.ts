// Connect forms are generated from each connector's credential JSON Schema:
// which fields exist, which are secret, required and how they are checked
// in the browser before the platform checks them for real.

export type FieldKind = 'text' | 'password' | 'number' | 'checkbox' | 'select' | 'url' | 'email'

export interface FormField {
  name: string
  label: string
  kind: FieldKind
  required: boolean
  secret: boolean
  description?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  integer?: boolean
  options?: string[]
}

type Json = Record<string, unknown>

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined)

/** "access_token" → "Access token". */
export function humanize(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').trim().toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/**
 * The form fields of an object schema: required fields first, then the
 * rest, each group in name order. A property marked x-secret, or named in
 * secretFields, becomes a password field.
 */
export function fieldsFromSchema(schema: unknown, secretFields: readonly string[] = []): FormField[] {
  if (!isObject(schema) || !isObject(schema.properties)) return []
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [])
  const fields = Object.entries(schema.properties).map(([name, raw]) =>
    fieldOf(name, isObject(raw) ? raw : {}, required.has(name), secretFields.includes(name)),
  )
  return fields.sort((a, b) => Number(b.required) - Number(a.required) || a.name.localeCompare(b.name))
}

function fieldOf(name: string, p: Json, required: boolean, listedSecret: boolean): FormField {
  const secret = listedSecret || p['x-secret'] === true
  const options = Array.isArray(p.enum) ? p.enum.map(String) : undefined
  const f: FormField = { name, label: str(p.title) ?? humanize(name), kind: kindOf(p, secret, options), required, secret }
  const extra: Partial<FormField> = {
    description: str(p.description),
    pattern: str(p.pattern),
    minLength: num(p.minLength),
    maxLength: num(p.maxLength),
    minimum: num(p.minimum),
    maximum: num(p.maximum),
    integer: p.type === 'integer' ? true : undefined,
    options,
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) Object.assign(f, { [k]: v })
  return f
}

function kindOf(p: Json, secret: boolean, options?: string[]): FieldKind {
  if (secret) return 'password'
  if (options) return 'select'
  if (p.type === 'boolean') return 'checkbox'
  if (p.type === 'integer' || p.type === 'number') return 'number'
  if (p.format === 'uri') return 'url'
  if (p.format === 'email') return 'email'
  return 'text'
}

/** Checks values against the fields; returns a message per invalid field. */
export function validateFields(fields: readonly FormField[], values: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const f of fields) {
    const msg = checkField(f, (values[f.name] ?? '').trim())
    if (msg) errors[f.name] = msg
  }
  return errors
}

function checkField(f: FormField, v: string): string | undefined {
  if (f.kind === 'checkbox') return undefined
  if (v === '') return f.required ? `Enter the ${f.label.toLowerCase()}.` : undefined
  if (f.kind === 'number') return checkNumber(f, v)
  if (f.minLength !== undefined && v.length < f.minLength) return `must be at least ${f.minLength} characters`
  if (f.maxLength !== undefined && v.length > f.maxLength) return `must be at most ${f.maxLength} characters`
  if (f.options && !f.options.includes(v)) return `must be one of ${f.options.join(', ')}`
  if (f.pattern && !matches(f.pattern, v)) return f.description ? `does not look right: ${f.description}` : 'does not have the expected form'
  return undefined
}

function checkNumber(f: FormField, v: string): string | undefined {
  const n = Number(v)
  if (!Number.isFinite(n)) return 'must be a number'
  if (f.integer && !Number.isInteger(n)) return 'must be a whole number'
  if (f.minimum !== undefined && n < f.minimum) return `must be at least ${f.minimum}`
  if (f.maximum !== undefined && n > f.maximum) return `must be at most ${f.maximum}`
  return undefined
}

// Patterns come from Go (RE2), which JavaScript reads the same way for the
// forms used in connector specs; one it cannot read is left to the server.
function matches(pattern: string, v: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(v)
  } catch {
    return true
  }
}

/** The credentials object to send: typed values, empty optional fields left out. */
export function toPayload(fields: readonly FormField[], values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    const v = (values[f.name] ?? '').trim()
    if (f.kind === 'checkbox') out[f.name] = v === 'true'
    else if (v === '') continue
    else out[f.name] = f.kind === 'number' ? Number(v) : v
  }
  return out
}

/**
 * Server field errors arrive keyed by their body location
 * (credentials.shop); the form keys them by field name.
 */
export function serverFieldErrors(fieldErrors: Record<string, string>, prefix = 'credentials.'): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(fieldErrors)) {
    if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v
  }
  return out
}
