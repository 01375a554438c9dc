// RFC 9457 problem details as the OmniFy API sends them, turned into what a
// form needs: a message per field and messages for the form as a whole.

/** Messages keyed by form field name (the `body.` location without its prefix). */
export type FieldErrors = Record<string, string>

interface ProblemDetail {
  location?: string
  message?: string
}

interface ProblemBody {
  title?: string
  status?: number
  detail?: string
  errors?: ProblemDetail[] | null
}

/** An API call that failed: an HTTP error response, or no response at all (status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly title: string
  readonly fieldErrors: FieldErrors
  /** Messages that belong to no single field, e.g. a path parameter or the whole body. */
  readonly formErrors: string[]

  constructor(status: number, title: string, message: string, fieldErrors: FieldErrors = {}, formErrors: string[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.title = title
    this.fieldErrors = fieldErrors
    this.formErrors = formErrors
  }

  /** True when the error has messages tied to fields, to be shown next to them. */
  get hasFieldErrors(): boolean {
    return Object.keys(this.fieldErrors).length > 0
  }
}

const bodyPrefix = 'body.'

/** Builds an ApiError from a response status and its (possibly non-problem) parsed body. */
export function problemToError(status: number, body: unknown, statusText = ''): ApiError {
  const p = asProblem(body)
  const title = p.title || statusText || `HTTP ${status}`
  const fieldErrors: FieldErrors = {}
  const formErrors: string[] = []
  for (const e of p.errors ?? []) {
    const message = e.message?.trim()
    if (!message) continue
    const field = fieldOf(e.location)
    if (field) {
      fieldErrors[field] = fieldErrors[field] ? `${fieldErrors[field]}; ${message}` : message
    } else {
      formErrors.push(e.location ? `${e.location}: ${message}` : message)
    }
  }
  const message = p.detail || plainText(body) || title
  return new ApiError(status, title, message, fieldErrors, formErrors)
}

/** An error for a request that never got a response (offline, server down). */
export function networkError(cause: unknown): ApiError {
  const err = new ApiError(0, 'Network error', 'Cannot reach the OmniFy server. Check your connection and try again.')
  ;(err as { cause?: unknown }).cause = cause
  return err
}

/** Reads a failed response's body into an ApiError. */
export async function responseToError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '')
  let body: unknown = text
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    // Not JSON (a proxy's HTML error page, say): keep the text.
  }
  return problemToError(res.status, body, res.statusText)
}

// A short plain-text body (a proxy's one-line error) is worth showing; an
// HTML error page is not.
function plainText(body: unknown): string {
  if (typeof body !== 'string') return ''
  const text = body.trim()
  return text.length <= 200 && !text.startsWith('<') ? text : ''
}

function fieldOf(location: string | undefined): string | undefined {
  if (!location?.startsWith(bodyPrefix)) return undefined
  const field = location.slice(bodyPrefix.length)
  return field || undefined
}

function asProblem(body: unknown): ProblemBody {
  if (typeof body !== 'object' || body === null) return {}
  const b = body as Record<string, unknown>
  return {
    title: typeof b.title === 'string' ? b.title : undefined,
    status: typeof b.status === 'number' ? b.status : undefined,
    detail: typeof b.detail === 'string' ? b.detail : undefined,
    errors: Array.isArray(b.errors) ? (b.errors.filter(isDetail) as ProblemDetail[]) : undefined,
  }
}

function isDetail(x: unknown): boolean {
  return typeof x === 'object' && x !== null
}
