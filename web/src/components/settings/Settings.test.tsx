import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Role } from '../../api/client'
import { memoryStorage, TokenStore } from '../../api/tokens'
import { fakeServer, type FakeServer } from '../../test/fakeServer'
import { renderApp } from '../../test/render'
import { memberActions } from './permissions'

const password = 'correct horse battery staple'

async function signedInAs(server: FakeServer, role: Role) {
  const owner = server.addAccount('olga@example.com', password)
  const me = role === 'owner' ? owner : server.addAccount('me@example.com', password)
  server.addOrg('Acme Coffee', role === 'owner' ? [{ userId: owner, role: 'owner' }] : [{ userId: owner, role: 'owner' }, { userId: me, role }])
  const tokens = new TokenStore(memoryStorage())
  const email = role === 'owner' ? 'olga@example.com' : 'me@example.com'
  const login = await server.fetch(new Request('http://omnify.test/v1/auth/login', { method: 'POST', body: JSON.stringify({ email, password }) }))
  tokens.set(await login.json())
  return tokens
}

describe('memberActions', () => {
  it.each<[Role, Role, boolean, Role[]]>([
    ['owner', 'owner', true, ['viewer', 'analyst', 'admin', 'owner']],
    ['owner', 'viewer', true, ['viewer', 'analyst', 'admin', 'owner']],
    ['admin', 'analyst', true, ['viewer', 'analyst', 'admin']],
    ['admin', 'owner', false, []],
    ['analyst', 'viewer', false, []],
    ['viewer', 'viewer', false, []],
  ])('%s acting on %s', (me, target, can, roles) => {
    const a = memberActions(me, { role: target })
    expect(a.canChangeRole).toBe(can)
    expect(a.canRemove).toBe(can)
    expect(a.roles).toEqual(roles)
  })
})

describe('settings page', () => {
  it('gives owners role controls, removal, branding and the audit log', async () => {
    const server = fakeServer()
    renderApp(server, '/settings', await signedInAs(server, 'owner'))
    const table = await screen.findByRole('table', { name: 'Members and their roles' })
    expect(within(table).getByRole('combobox', { name: 'Role of olga@example.com' })).toBeTruthy()
    expect(within(table).getByRole('button', { name: 'Remove olga@example.com' })).toBeTruthy()
    expect(await screen.findByRole('button', { name: 'Save' })).toBeTruthy()
    expect(screen.getByRole('heading', { name: 'Audit log' })).toBeTruthy()
  })

  it('shows viewers roles as text and nothing to change', async () => {
    const server = fakeServer()
    renderApp(server, '/settings', await signedInAs(server, 'viewer'))
    const table = await screen.findByRole('table', { name: 'Members and their roles' })
    expect(within(table).queryByRole('combobox')).toBeNull()
    expect(within(table).queryByRole('button')).toBeNull()
    expect(within(table).getByText('Owner')).toBeTruthy()
    expect(await screen.findByText('Only owners and admins can change these.')).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Save' })).toBeNull()
    expect(screen.queryByRole('heading', { name: 'Audit log' })).toBeNull()
    expect(screen.queryByRole('heading', { name: 'Invite a teammate' })).toBeNull()
  })

  it('checks the colour before sending and re-themes after saving', async () => {
    const server = fakeServer()
    const user = userEvent.setup({ delay: null })
    const { container } = renderApp(server, '/settings', await signedInAs(server, 'owner'))
    const colour = await screen.findByLabelText('Primary colour')
    await user.type(colour, '#ffcc00')
    await user.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(colour.getAttribute('aria-invalid')).toBe('true'))
    expect(server.calls.some((c) => c.method === 'PATCH')).toBe(false)
    await user.clear(colour)
    await user.type(colour, '#1f4e79')
    await user.clear(screen.getByLabelText('Display name'))
    await user.type(screen.getByLabelText('Display name'), 'Acme Roasters')
    await user.click(screen.getByRole('button', { name: 'Save' }))
    expect(await screen.findByText('Saved. The dashboard now uses this branding.')).toBeTruthy()
    const patch = server.calls.find((c) => c.method === 'PATCH')!
    expect(patch.body).toEqual({ name: 'Acme Coffee', branding: { display_name: 'Acme Roasters', primary_color: '#1f4e79', logo_url: '' } })
    await waitFor(() => expect((container.querySelector('.app') as HTMLElement).style.getPropertyValue('--brand')).toBe('#1f4e79'))
    expect(screen.getByRole('link', { name: 'Acme Roasters home' })).toBeTruthy()
  })
})
