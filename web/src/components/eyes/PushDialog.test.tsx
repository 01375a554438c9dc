import { QueryClient } from '@tanstack/react-query'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { MemoryRouter, Outlet, Route, Routes } from 'react-router'
import { describe, expect, it } from 'vitest'
import { createApi, type Me, type Role } from '../../api/client'
import { memoryStorage, TokenStore } from '../../api/tokens'
import { AppProviders } from '../../auth/session'
import {
  asPushResult,
  canPush,
  describeLastPush,
  describeProgress,
  describeResult,
  destinationOf,
  failureReasons,
  PushDialog,
  pushTargets,
  type Job,
  type SegmentPush,
} from './PushDialog'
import type { Segment } from './queries'
import { SegmentCards } from './SegmentCards'

const action = { name: 'add_to_list', description: 'Add people to a list', params_schema: {} }
const platform = (id: string, name: string, actions = [action]) => ({
  platform: id,
  display_name: name,
  credentials_schema: {},
  config_schema: {},
  secret_fields: [],
  streams: [],
  actions,
})
const platforms = [
  platform('klaviyo', 'Klaviyo'),
  platform('hubspot', 'HubSpot'),
  platform('stripe', 'Stripe', []),
  platform('triple_whale', 'Triple Whale', []),
]
const conn = (id: string, p: string, name = '') => ({
  id,
  platform: p,
  name,
  config: {},
  health: 'healthy' as const,
  failures: 0,
  sync_every_minutes: 0,
  created_at: '2026-11-01T00:00:00Z',
  updated_at: '2026-11-01T00:00:00Z',
})

describe('pushTargets', () => {
  const cases = [
    { name: 'no connections', conns: [], want: [] },
    { name: 'platforms without write-back are left out', conns: [conn('c1', 'stripe'), conn('c2', 'triple_whale')], want: [] },
    {
      name: 'write-back platforms, by platform then name',
      conns: [conn('c3', 'klaviyo', 'Newsletter'), conn('c1', 'stripe'), conn('c2', 'hubspot'), conn('c4', 'klaviyo', 'EU store')],
      want: ['c2:HubSpot', 'c4:EU store', 'c3:Newsletter'],
    },
    { name: 'a platform the server no longer lists is left out', conns: [conn('c9', 'shopify_plus')], want: [] },
  ]
  for (const c of cases) {
    it(c.name, () => {
      expect(pushTargets(c.conns, platforms).map((t) => `${t.id}:${t.name}`)).toEqual(c.want)
    })
  }
})

describe('canPush', () => {
  it.each<[Role, boolean]>([
    ['viewer', false],
    ['analyst', true],
    ['admin', true],
    ['owner', true],
  ])('%s may send: %s', (role, want) => expect(canPush(role)).toBe(want))
})

describe('destinationOf', () => {
  it.each([
    ['klaviyo', 'List name', /Klaviyo list/],
    ['hubspot', 'Static list name', /HubSpot static list/],
    ['gohighlevel', 'Tag', /HighLevel tag/],
    ['linkedin_ads', 'Audience name', /48 hours/],
    ['unknown', 'Audience name', /by name or ID/],
  ])('%s asks for a %s', (p, label, hint) => {
    expect(destinationOf(p).label).toBe(label)
    expect(destinationOf(p).hint).toMatch(hint)
  })
})

describe('describeResult', () => {
  const base = { added: 0, removed: 0, skipped_no_consent: 0, skipped_missing: 0, forgotten: 0, failed_count: 0, failed: [] }
  const cases = [
    { name: 'nothing changed', r: base, want: ['Nothing to change: the list already matches the segment.'] },
    {
      name: 'added and skipped',
      r: { ...base, added: 1204, skipped_no_consent: 1 },
      want: ['Added 1,204 people to the list.', 'Skipped 1 person without marketing consent.'],
    },
    {
      name: 'merged away since the last push',
      r: { ...base, forgotten: 1 },
      want: [
        'Nothing to change: the list already matches the segment.',
        'Stopped tracking 1 person sent earlier and since merged into another customer or erased (the platform was not asked to remove them).',
      ],
    },
    {
      name: 'removed, missing and refused',
      r: {
        ...base,
        removed: 3,
        skipped_missing: 2,
        failed_count: 2,
        failed: [
          { customer_id: 'a', reason: 'no email' },
          { customer_id: 'b', reason: 'no email' },
        ],
      },
      want: [
        'Removed 3 people who left the segment or withdrew consent.',
        'Skipped 2 people no longer among your customers.',
        '2 people were refused by the platform.',
      ],
    },
  ]
  for (const c of cases) {
    it(c.name, () => expect(describeResult(c.r, 'list')).toEqual(c.want))
  }

  it('names the destination when the result has it', () => {
    expect(describeResult({ ...base, destination: 'VIP', added: 2 }, 'tag')).toEqual(['Added 2 people to the tag “VIP”.'])
    expect(describeResult({ ...base, destination: 'VIP' }, 'list')).toEqual(['Nothing to change: the list “VIP” already matches the segment.'])
  })

  it('groups refusals by reason, most common first', () => {
    const r = asPushResult({
      added: 1,
      failed_count: 5,
      failed: [
        { customer_id: 'a', reason: 'invalid email' },
        { customer_id: 'b', reason: 'no email or phone' },
        { customer_id: 'c', reason: 'no email or phone' },
        { customer_id: 'd', reason: '' },
      ],
    })
    expect(r?.failed_count).toBe(5)
    expect(failureReasons(r!)).toEqual([
      { reason: 'no email or phone', count: 2 },
      { reason: 'invalid email', count: 1 },
      { reason: 'No reason given', count: 1 },
    ])
  })

  it('reads a result with missing or odd fields as zeros', () => {
    expect(asPushResult(null)).toBeNull()
    expect(asPushResult({ added: 'many', failed: 'x' })).toEqual({ ...base })
  })
})

const job = (over: Partial<Job>): Job => ({
  id: 'j1',
  kind: 'segment.push',
  status: 'running',
  attempts: 1,
  max_attempts: 5,
  created_at: '2026-11-25T10:00:00Z',
  updated_at: '2026-11-25T10:01:00Z',
  run_at: '2026-11-25T10:00:00Z',
  ...over,
})

describe('describeProgress', () => {
  it.each([
    [job({ status: 'queued' }), 'Waiting to start…'],
    [job({ progress: { phase: 'planning' } }), 'Working out who to send…'],
    [
      job({ progress: { phase: 'pushing', to_add: 1200, to_remove: 0, added: 1000, removed: 0, batches: 2, batches_done: 1 } }),
      'Sending: 1,000 of 1,200 added (batch 2 of 2).',
    ],
    [
      job({ progress: { phase: 'pushing', to_add: 4, to_remove: 2, added: 0, removed: 0, batches: 1, batches_done: 0 } }),
      'Sending: 0 of 4 added, 0 of 2 removed (batch 1 of 1).',
    ],
    [job({ status: 'failed', error: 'klaviyo: 503' }), 'An attempt failed and will be retried: klaviyo: 503.'],
    [job({ status: 'dead', error: '' }), 'The push stopped: no reason given.'],
  ])('%#', (j, want) => expect(describeProgress(j)).toBe(want))
})

describe('describeLastPush', () => {
  const push = (j: Partial<Job>): SegmentPush => ({ connection_id: 'c1', destination: 'VIP', job: job(j) })
  it('names counts of a finished push', () => {
    const line = describeLastPush(push({ status: 'succeeded', result: { added: 12, skipped_no_consent: 30, failed_count: 1 } }), 'Klaviyo list')
    expect(line).toMatch(/^Last sent to Klaviyo list “VIP” on Nov 25, 2026, .+: 12 added, 30 skipped without consent, 1 refused\.$/)
  })
  it('says a push is under way', () => {
    expect(describeLastPush(push({ status: 'queued' }), 'Klaviyo list')).toBe('Sending to Klaviyo list “VIP” now.')
  })
  it('says why a push stopped', () => {
    expect(describeLastPush(push({ status: 'dead', error: 'list not found' }), 'HubSpot static list')).toBe(
      'Last send to HubSpot static list “VIP” failed: list not found.',
    )
  })
})

const me = { user: { id: 'u1', email: 'ana@acme.test' }, org: { id: 'o1', name: 'Acme' }, role: 'analyst', memberships: [] } as unknown as Me
const json = (status: number, body: unknown, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } })

/** A server with one Klaviyo connection whose first push is refused for its destination. */
function renderDialog() {
  const pushes: unknown[] = []
  let jobPolls = 0
  const fetch = async (r: Request) => {
    const url = new URL(r.url)
    if (url.pathname === '/v1/platforms') return json(200, { items: platforms })
    if (url.pathname === '/v1/connections') return json(200, { items: [conn('c1', 'klaviyo', 'Shop'), conn('c2', 'stripe')] })
    if (url.pathname.endsWith('/push')) {
      pushes.push(await r.clone().json())
      if (pushes.length === 1) {
        return json(
          422,
          { title: 'Unprocessable Entity', status: 422, detail: 'validation failed', errors: [{ location: 'body.destination', message: 'is longer than Klaviyo allows' }] },
          'application/problem+json',
        )
      }
      return json(202, job({ status: 'queued' }))
    }
    if (url.pathname === '/v1/jobs/j1') {
      jobPolls++
      return json(
        200,
        jobPolls < 2
          ? job({ progress: { phase: 'pushing', to_add: 3, added: 0, batches: 1, batches_done: 0 } })
          : job({ status: 'succeeded', result: { added: 3, skipped_no_consent: 7, failed_count: 1, failed: [{ customer_id: 'x', reason: 'no email or phone' }] } }),
      )
    }
    if (url.pathname.endsWith('/pushes')) return json(200, { items: [] })
    return json(404, {})
  }
  const tokens = new TokenStore(memoryStorage())
  const api = createApi({ tokens, baseUrl: 'http://omnify.test', fetch, lock: (fn) => fn() })
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } })
  let closed = 0
  render(
    <AppProviders api={api} queryClient={qc}>
      <MemoryRouter>
        <Routes>
          <Route element={<Outlet context={me} />}>
            <Route index element={<PushDialog segment={{ id: 's1', name: 'Loyal regulars' }} onClose={() => closed++} />} />
          </Route>
        </Routes>
      </MemoryRouter>
    </AppProviders>,
  )
  return { pushes, closed: () => closed }
}

describe('PushDialog', () => {
  it('offers write-back connections, shows a field error beside its field, then the result', async () => {
    const user = userEvent.setup({ delay: null })
    const s = renderDialog()
    const dialog = await screen.findByRole('dialog', { name: 'Send “Loyal regulars” to a platform' })
    const select = await screen.findByLabelText('Connection')
    expect([...(select as HTMLSelectElement).options].map((o) => o.text)).toEqual(['Shop (Klaviyo)'])
    expect(dialog.textContent).toMatch(/A Klaviyo list name or ID/)

    await user.click(screen.getByRole('button', { name: 'Send to Klaviyo' }))
    expect(await screen.findByText('List name is required: the list to put these people in')).toBeTruthy()
    expect(s.pushes).toHaveLength(0)

    await user.type(screen.getByLabelText('List name'), 'VIP')
    await user.click(screen.getByRole('button', { name: 'Send to Klaviyo' }))
    const input = await screen.findByLabelText('List name')
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'))
    expect(document.getElementById(input.getAttribute('aria-describedby')!.split(' ')[0]!)?.textContent).toMatch(/longer than Klaviyo allows/)
    expect(s.pushes).toEqual([{ connection_id: 'c1', destination: 'VIP' }])

    await user.click(screen.getByRole('button', { name: 'Send to Klaviyo' }))
    await screen.findByText('Added 3 people to the list.', {}, { timeout: 3000 })
    expect(screen.getByText('Skipped 7 people without marketing consent.')).toBeTruthy()
    expect(screen.getByText('no email or phone (1 person)')).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Close' }))
    expect(s.closed()).toBe(1)
  })
})

const segment = {
  id: 's1',
  name: 'Loyal regulars',
  action: 'Thank them',
  size: 120,
  share: 0.3,
  revenue_share: 0.6,
  exportable: 40,
  profile: { recency_days: 12, frequency: 4, monetary_total: 320, monetary_avg: 80, tenure_days: 400, p_alive: 0.9 },
  churn_mix: [],
} as unknown as Segment

/** Renders one segment card for a member with `role`; the server knows one finished push. */
function renderCard(role: Role) {
  const fetch = async (r: Request) => {
    const url = new URL(r.url)
    if (url.pathname === '/v1/platforms') return json(200, { items: platforms })
    if (url.pathname === '/v1/connections') return json(200, { items: [conn('c1', 'klaviyo', 'Shop')] })
    if (url.pathname === '/v1/eyes/segments/s1/pushes') {
      return json(200, { items: [{ connection_id: 'c1', destination: 'VIP', job: job({ status: 'succeeded', result: { added: 9, skipped_no_consent: 2 } }) }] })
    }
    return json(404, {})
  }
  const api = createApi({ tokens: new TokenStore(memoryStorage()), baseUrl: 'http://omnify.test', fetch, lock: (fn) => fn() })
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  const who = { ...me, role } as Me
  render(
    <AppProviders api={api} queryClient={qc}>
      <MemoryRouter>
        <Routes>
          <Route element={<Outlet context={who} />}>
            <Route index element={<SegmentCards segments={[segment]} />} />
          </Route>
        </Routes>
      </MemoryRouter>
    </AppProviders>,
  )
}

describe('SegmentCards send action', () => {
  it.each<[Role, boolean]>([
    ['viewer', false],
    ['analyst', true],
    ['owner', true],
  ])('%s sees Send to…: %s, and everyone sees the last push', async (role, shown) => {
    renderCard(role)
    await screen.findByText(/^Last sent to Klaviyo list “VIP” on .+: 9 added, 2 skipped without consent\.$/)
    expect(screen.queryByRole('button', { name: /^Send to…/ }) !== null).toBe(shown)
  })

  it('opens the dialog and gives focus back to the button when it closes', async () => {
    const user = userEvent.setup({ delay: null })
    renderCard('analyst')
    const open = await screen.findByRole('button', { name: /^Send to…/ })
    await user.click(open)
    await screen.findByRole('dialog', { name: 'Send “Loyal regulars” to a platform' })
    await user.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(document.activeElement).toBe(open)
  })
})
