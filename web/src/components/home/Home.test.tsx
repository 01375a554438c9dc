import { render, screen, within } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { memoryStorage, TokenStore } from '../../api/tokens'
import { fakeServer } from '../../test/fakeServer'
import { renderApp } from '../../test/render'
import { trend } from '../analytics/format'
import { Changes } from './Changes'
import { KpiTile } from './KpiTile'

describe('home page', () => {
  it('points an org without data to getting started', async () => {
    const server = fakeServer()
    const userId = server.addAccount('ana@example.com', 'correct horse battery staple')
    server.addOrg('Acme Coffee', [{ userId, role: 'owner' }])
    const tokens = new TokenStore(memoryStorage())
    const login = await server.fetch(
      new Request('http://omnify.test/v1/auth/login', { method: 'POST', body: JSON.stringify({ email: 'ana@example.com', password: 'correct horse battery staple' }) }),
    )
    tokens.set(await login.json())
    renderApp(server, '/home', tokens)
    expect(await screen.findByRole('heading', { level: 1, name: 'Acme Coffee' })).toBeTruthy()
    expect(await screen.findByText('No customer data yet')).toBeTruthy()
    expect(within(screen.getByRole('main')).getByRole('link', { name: 'Get started' }).getAttribute('href')).toBe('/get-started')
  })
})

describe('KpiTile', () => {
  it('repeats the trend in words', () => {
    render(
      <dl>
        <KpiTile label="Revenue" value="$70.00" trend={trend(0.75)} />
      </dl>,
    )
    expect(screen.getByText('up 75% on the previous 30 days')).toBeTruthy()
    expect(screen.getByText('▲ 75%').getAttribute('aria-hidden')).toBe('true')
  })
})

describe('Changes', () => {
  it('lists segment deltas with signs and the moves', () => {
    render(
      <MemoryRouter>
        <Changes
          changes={{
            previous_run_id: 'r1',
            previous_as_of: '2026-03-01T00:00:00Z',
            segments: [
              { name: 'At risk', before: 5, after: 9, delta: 4 },
              { name: 'Champions', before: 10, after: 7, delta: -3 },
            ],
            migration: { previous_as_of: '2026-03-01', matched: 3, stayed: 2, new: 0, gone: 0, moves: [{ from: 'Champions', to: 'At risk', count: 1 }] },
          }}
        />
      </MemoryRouter>,
    )
    const rows = within(screen.getByRole('table')).getAllByRole('row')
    expect(rows.map((r) => r.textContent)).toEqual(['SegmentBeforeNowChange', 'At risk59+4', 'Champions107-3'])
    expect(screen.getByText('1 customer moved from Champions to At risk')).toBeTruthy()
  })

  it('says when there is no earlier run', () => {
    render(<Changes changes={{ segments: [] }} />)
    expect(screen.getByText('This is the first EYES run: changes appear after the next one.')).toBeTruthy()
  })
})
