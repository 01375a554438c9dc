import { QueryClient } from '@tanstack/react-query'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Outlet, Route, Routes } from 'react-router'
import { describe, expect, it } from 'vitest'
import { createApi, type Me } from '../../api/client'
import { memoryStorage, TokenStore } from '../../api/tokens'
import { AppProviders } from '../../auth/session'
import { ConnectForm } from './ConnectForm'
import type { Platform } from './describe'

const stripe: Platform = {
  platform: 'stripe',
  display_name: 'Stripe',
  credentials_schema: {
    type: 'object',
    required: ['secret_key'],
    properties: {
      secret_key: { type: 'string', title: 'Secret or restricted key', 'x-secret': true, pattern: '^(sk|rk)_(test|live)_[A-Za-z0-9]+$' },
      webhook_secret: { type: 'string', title: 'Webhook signing secret', 'x-secret': true },
    },
  },
  config_schema: { type: 'object', properties: {} },
  secret_fields: ['secret_key', 'webhook_secret'],
  streams: [],
  actions: [],
}

const me = { user: { id: 'u1', email: 'ana@acme.test' }, org: { id: 'o1', name: 'Acme' }, role: 'admin', memberships: [] } as unknown as Me

/** Renders the form with a server that answers POST /v1/platforms/connect with `answer`. */
function renderForm(answer: Response) {
  const calls: unknown[] = []
  const fetch = async (r: Request) => {
    calls.push(await r.clone().json())
    return answer.clone()
  }
  const tokens = new TokenStore(memoryStorage())
  const api = createApi({ tokens, baseUrl: 'http://omnify.test', fetch, lock: (fn) => fn() })
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } })
  let done = 0
  render(
    <AppProviders api={api} queryClient={qc}>
      <MemoryRouter>
        <Routes>
          <Route element={<Outlet context={me} />}>
            <Route index element={<ConnectForm platform={stripe} onDone={() => done++} />} />
          </Route>
        </Routes>
      </MemoryRouter>
    </AppProviders>,
  )
  return { calls, done: () => done }
}

const problem = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } })

describe('ConnectForm', () => {
  it('checks the schema in the browser before calling the server', async () => {
    const user = userEvent.setup({ delay: null })
    const { calls } = renderForm(new Response('{}', { status: 201 }))
    const key = screen.getByLabelText('Secret or restricted key *')
    expect(key).toHaveProperty('type', 'password')
    await user.click(screen.getByRole('button', { name: 'Connect Stripe' }))
    expect(await screen.findByText('Enter the secret or restricted key.')).toBeTruthy()
    await waitFor(() => expect(document.activeElement).toBe(key))
    await user.type(key, 'pk_test_123')
    await user.click(screen.getByRole('button', { name: 'Connect Stripe' }))
    expect(await screen.findByText('Secret or restricted key does not have the expected form')).toBeTruthy()
    expect(calls).toEqual([])
  })

  it('shows the server’s field error next to the field', async () => {
    const user = userEvent.setup({ delay: null })
    const { calls, done } = renderForm(
      problem(422, { title: 'Unprocessable Entity', status: 422, detail: 'validation failed', errors: [{ location: 'body.credentials.secret_key', message: 'does not match the pattern ^(sk|rk)_(test|live)_' }] }),
    )
    const key = screen.getByLabelText('Secret or restricted key *')
    await user.type(key, 'sk_test_abc')
    await user.click(screen.getByRole('button', { name: 'Connect Stripe' }))
    expect(await screen.findByText('Secret or restricted key does not match the pattern ^(sk|rk)_(test|live)_')).toBeTruthy()
    expect(key.getAttribute('aria-invalid')).toBe('true')
    expect(calls).toEqual([{ platform: 'stripe', credentials: { secret_key: 'sk_test_abc' } }])
    expect(done()).toBe(0)
  })

  it('says so when the platform refuses the credentials as a whole', async () => {
    const user = userEvent.setup({ delay: null })
    renderForm(problem(422, { title: 'Unprocessable Entity', status: 422, detail: 'validation failed', errors: [{ location: 'body.credentials', message: 'the platform refused these credentials' }] }))
    await user.type(screen.getByLabelText('Secret or restricted key *'), 'sk_test_revoked')
    await user.click(screen.getByRole('button', { name: 'Connect Stripe' }))
    expect((await screen.findByRole('alert')).textContent).toBe('The platform refused these credentials')
  })

  it('closes once the platform accepts the credentials', async () => {
    const user = userEvent.setup({ delay: null })
    const { done } = renderForm(new Response(JSON.stringify({ id: 'c1' }), { status: 201, headers: { 'Content-Type': 'application/json' } }))
    await user.type(screen.getByLabelText('Secret or restricted key *'), 'sk_live_ok')
    await user.type(screen.getByLabelText('Webhook signing secret'), 'whsec_1')
    await user.click(screen.getByRole('button', { name: 'Connect Stripe' }))
    await waitFor(() => expect(done()).toBe(1))
  })
})
