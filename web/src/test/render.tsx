import { QueryClient } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { createApi } from '../api/client'
import { memoryStorage, TokenStore } from '../api/tokens'
import { App } from '../app/App'
import { AppProviders } from '../auth/session'
import type { FakeServer } from './fakeServer'

/** Renders the whole app at path, talking to the fake server. */
export function renderApp(server: FakeServer, path: string, tokens = new TokenStore(memoryStorage())) {
  const api = createApi({ tokens, baseUrl: 'http://omnify.test', fetch: server.fetch, lock: (fn) => fn() })
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } })
  const view = render(
    <AppProviders api={api} queryClient={queryClient}>
      <MemoryRouter initialEntries={[path]}>
        <App />
      </MemoryRouter>
    </AppProviders>,
  )
  return { ...view, api, tokens }
}
