import { useId, useState, type FormEvent } from 'react'
import { useSignedIn } from '../../app/RequireAuth'
import { ErrorState } from '../States'
import { useImport } from './queries'
import { TableScroll } from '../eyes/TableScroll'

/** Uploads a transactions CSV (or a Shopify export) and shows what it did or which lines are wrong. */
export function ImportForm() {
  const me = useSignedIn()
  const upload = useImport(me.org.id)
  const [file, setFile] = useState<File | null>(null)
  const [missing, setMissing] = useState(false)
  const id = useId()
  const submit = (e: FormEvent) => {
    e.preventDefault()
    if (!file) {
      setMissing(true)
      document.getElementById(id)?.focus()
      return
    }
    upload.mutate(file)
  }
  const out = upload.data
  return (
    <form className="import-form" onSubmit={submit} noValidate aria-label="Import a CSV">
      <div className={missing ? 'field field--invalid' : 'field'}>
        <label htmlFor={id}>CSV file</label>
        <p className="field-hint" id={`${id}-hint`}>
          Columns customer_id, order_date and amount (optional order_id, email, currency, consent), or a Shopify customer or order export.
        </p>
        <input
          id={id}
          type="file"
          accept=".csv,text/csv"
          aria-describedby={missing ? `${id}-error ${id}-hint` : `${id}-hint`}
          aria-invalid={missing}
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null)
            setMissing(false)
            upload.reset()
          }}
        />
        {missing && (
          <p className="field-error" id={`${id}-error`}>
            Choose a CSV file to import.
          </p>
        )}
      </div>
      <div className="actions">
        <button type="submit" className="button" disabled={upload.isPending}>
          {upload.isPending ? 'Importing…' : 'Import file'}
        </button>
      </div>
      {upload.isPending && (
        <div className="import-progress" role="status">
          <progress aria-label="Import progress" /> Checking every line of {file?.name}, then storing it…
        </div>
      )}
      {upload.isError && <ErrorState title="The import failed" error={upload.error} />}
      {out?.ok && (
        <p className="notice notice--ok" role="status">
          <span aria-hidden="true">✓ </span>Imported {out.result.rows.toLocaleString()} rows: {out.result.customers.toLocaleString()} customers and{' '}
          {out.result.orders.toLocaleString()} orders.
        </p>
      )}
      {out && !out.ok && <RowErrors result={out.result} />}
    </form>
  )
}

function RowErrors({ result }: { result: NonNullable<ReturnType<typeof useImport>['data']>['result'] }) {
  const errors = result.errors ?? []
  return (
    <div className="state state--error" role="alert">
      <p className="state-title">
        Nothing was imported: {result.error_count.toLocaleString()} problem{result.error_count === 1 ? '' : 's'} in the file
      </p>
      <p>Fix these lines and upload the file again.{result.error_count > errors.length && ` The first ${errors.length} are shown.`}</p>
      <TableScroll label="Problems by line, scrollable">
        <table className="data-table">
          <caption className="visually-hidden">Problems by line</caption>
          <thead>
            <tr>
              <th scope="col">Line</th>
              <th scope="col">Column</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              <tr key={i}>
                <td>{e.line}</td>
                <td>{e.column ?? ''}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </div>
  )
}
