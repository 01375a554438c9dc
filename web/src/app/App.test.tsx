import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { memoryStorage, TokenStore } from '../api/tokens'
import { fakeServer, type FakeServer } from '../test/fakeServer'
import { renderApp } from '../test/render'

const password = 'correct horse battery staple'

async function fillSignUp(user: ReturnType<typeof userEvent.setup>, v: { org: string; email: string; password: string }) {
  await user.type(screen.getByLabelText('Organisation name'), v.org)
  await user.type(screen.getByLabelText('Work email'), v.email)
  await user.type(screen.getByLabelText('Password'), v.password)
  await user.click(screen.getByRole('button', { name: 'Create account' }))
}

/** The error text the field's aria-describedby points at. */
function describedError(input: HTMLElement): string {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean)
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' | ')
}

async function signedInAs(server: FakeServer, email: string, role: 'owner' | 'viewer', extraOrg?: string) {
  const userId = server.addAccount(email, password)
  server.addOrg('Acme Coffee', [{ userId, role }])
  if (extraOrg) server.addOrg(extraOrg, [{ userId, role: 'analyst' }])
  const tokens = new TokenStore(memoryStorage())
  const login = await server.fetch(
    new Request('http://omnify.test/v1/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) }),
  )
  tokens.set(await login.json())
  return tokens
}

describe('sign-up', () => {
  it('checks the password length before calling the API', async () => {
    const server = fakeServer()
    const user = userEvent.setup({ delay: null })
    renderApp(server, '/signup')
    await fillSignUp(user, { org: 'Acme Coffee', email: 'ana@example.com', password: 'short' })
    const pw = screen.getByLabelText('Password')
    expect(pw.getAttribute('aria-invalid')).toBe('true')
    expect(describedError(pw)).toContain('Use at least 12 characters.')
    expect(document.activeElement).toBe(pw)
    expect(server.calls.filter((c) => c.path === '/v1/auth/register')).toHaveLength(0)
  })

  it('shows the server field errors next to their fields', async () => {
    const server = fakeServer()
    server.failNext('/v1/auth/register', 422, {
      title: 'Unprocessable Entity',
      status: 422,
      detail: 'validation failed',
      errors: [{ location: 'body.password', message: 'is a common password', value: '' }],
    })
    const user = userEvent.setup({ delay: null })
    renderApp(server, '/signup')
    await fillSignUp(user, { org: 'Acme Coffee', email: 'ana@example.com', password: 'password1234' })
    const pw = await screen.findByLabelText('Password')
    await waitFor(() => expect(describedError(pw)).toContain('is a common password'))
    expect(screen.getByRole('alert').textContent).toContain('Correct the highlighted fields')
    expect(describedError(screen.getByLabelText('Work email'))).toBe('')
  })

  it('points a duplicate email at the email field', async () => {
    const server = fakeServer()
    server.addAccount('ana@example.com', password)
    const user = userEvent.setup({ delay: null })
    renderApp(server, '/signup')
    await fillSignUp(user, { org: 'Acme Coffee', email: 'ana@example.com', password })
    await waitFor(() => expect(describedError(screen.getByLabelText('Work email'))).toContain('already exists'))
  })

  it('lands on the org home', async () => {
    const server = fakeServer()
    const user = userEvent.setup({ delay: null })
    const { tokens } = renderApp(server, '/signup')
    await fillSignUp(user, { org: 'Acme Coffee', email: 'ana@example.com', password })
    expect(await screen.findByRole('heading', { level: 1, name: 'Acme Coffee' })).toBeTruthy()
    expect(tokens.refreshToken()).toMatch(/^r/)
  })
})

describe('settings and session', () => {
  it('lists the owner in settings', async () => {
    const server = fakeServer()
    const tokens = await signedInAs(server, 'ana@example.com', 'owner')
    renderApp(server, '/settings', tokens)
    const table = await screen.findByRole('table')
    const row = (await within(table).findByText('ana@example.com')).closest('tr')!
    expect((within(row).getByRole('combobox') as HTMLSelectElement).value).toBe('owner')
    expect(screen.getByRole('heading', { name: 'Invite a teammate' })).toBeTruthy()
  })

  it('sends signed-out visitors to sign in', async () => {
    renderApp(fakeServer(), '/home')
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeTruthy()
    expect(screen.getByText('Sign in to continue.')).toBeTruthy()
  })

  it('hides the invite form from viewers', async () => {
    const server = fakeServer()
    const tokens = await signedInAs(server, 'vic@example.com', 'viewer')
    renderApp(server, '/settings', tokens)
    expect(await screen.findByRole('table')).toBeTruthy()
    expect(screen.queryByRole('heading', { name: 'Invite a teammate' })).toBeNull()
  })

  it('adds a teammate and lists them', async () => {
    const server = fakeServer()
    server.addAccount('bo@example.com', password)
    const tokens = await signedInAs(server, 'ana@example.com', 'owner')
    const user = userEvent.setup({ delay: null })
    renderApp(server, '/settings', tokens)
    await user.type(await screen.findByLabelText('Email'), 'bo@example.com')
    await user.selectOptions(screen.getByLabelText('Role'), 'analyst')
    await user.click(screen.getByRole('button', { name: 'Add to organisation' }))
    expect(await screen.findByText('bo@example.com was added as analyst.')).toBeTruthy()
    const row = (await within(screen.getByRole('table')).findByText('bo@example.com')).closest('tr')!
    expect(within(row).getByText('Analyst')).toBeTruthy()
  })

  it('shows an unknown invitee next to the email field', async () => {
    const server = fakeServer()
    const tokens = await signedInAs(server, 'ana@example.com', 'owner')
    const user = userEvent.setup({ delay: null })
    renderApp(server, '/settings', tokens)
    const email = await screen.findByLabelText('Email')
    await user.type(email, 'nobody@example.com')
    await user.click(screen.getByRole('button', { name: 'Add to organisation' }))
    await waitFor(() => expect(describedError(email)).toContain('No account uses this email'))
  })

  it('switches org for people in several orgs', async () => {
    const server = fakeServer()
    const tokens = await signedInAs(server, 'ana@example.com', 'owner', 'Beta Bikes')
    const user = userEvent.setup({ delay: null })
    renderApp(server, '/settings', tokens)
    const switcher = await screen.findByLabelText('Organisation')
    await screen.findByRole('table')
    await user.selectOptions(switcher, 'Beta Bikes')
    expect(await screen.findByDisplayValue('Beta Bikes')).toBeTruthy()
    expect(await screen.findByText('ana@example.com')).toBeTruthy()
    const switched = server.calls.findIndex((c) => c.path === '/v1/auth/switch-org')
    expect(switched).toBeGreaterThan(0)
    const before = server.calls.slice(0, switched).find((c) => c.path.endsWith('/members'))!.path
    // The old org's members are never asked for with the new org's token.
    expect(server.calls.slice(switched).map((c) => c.path)).not.toContain(before)
  })

  it('signs out: revokes the refresh token and forgets the session', async () => {
    const server = fakeServer()
    const tokens = await signedInAs(server, 'ana@example.com', 'owner')
    const refresh = tokens.refreshToken()
    const user = userEvent.setup({ delay: null })
    renderApp(server, '/home', tokens)
    await user.click(await screen.findByRole('button', { name: 'Sign out' }))
    expect(await screen.findByText('You have signed out.')).toBeTruthy()
    expect(tokens.hasSession()).toBe(false)
    expect(server.calls.find((c) => c.path === '/v1/auth/logout')?.body).toEqual({ refresh_token: refresh })
  })

  it('says the session ended when the server refuses to refresh it', async () => {
    const server = fakeServer()
    const storage = memoryStorage()
    storage.setItem('omnify.refresh_token', 'revoked')
    const tokens = new TokenStore(storage)
    renderApp(server, '/home', tokens)
    expect(await screen.findByText('Your session has ended. Sign in again to continue.')).toBeTruthy()
    expect(tokens.hasSession()).toBe(false)
  })

  it('recovers the session from the stored refresh token after a reload', async () => {
    const server = fakeServer()
    const signedIn = await signedInAs(server, 'ana@example.com', 'owner')
    const storage = memoryStorage()
    storage.setItem('omnify.refresh_token', signedIn.refreshToken()!)
    renderApp(server, '/home', new TokenStore(storage))
    expect(await screen.findByRole('heading', { level: 1, name: 'Acme Coffee' })).toBeTruthy()
    expect(server.calls.map((c) => c.path).slice(-3, -1)).toContain('/v1/auth/refresh')
  })
})

describe('landing', () => {
  it('shows the server status', async () => {
    renderApp(fakeServer(), '/')
    expect(await screen.findByText('All systems operational')).toBeTruthy()
    expect(screen.getByText('Server version v-test')).toBeTruthy()
  })

  it('says so when the server does not answer', async () => {
    const server = fakeServer()
    const down = { ...server, fetch: () => Promise.reject(new TypeError('Failed to fetch')) }
    renderApp(down, '/')
    expect(await screen.findByText('The OmniFy server is not answering')).toBeTruthy()
  })
})
