import { useQueryClient } from '@tanstack/react-query'
import { useCallback } from 'react'
import { useLocation, useNavigate } from 'react-router'
import { queryKeys, useApi } from './session'

/** After tokens are stored: load the user, then go where they were headed. */
export function useEnterApp() {
  const api = useApi()
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const location = useLocation()
  return useCallback(async () => {
    await queryClient.fetchQuery({ queryKey: queryKeys.me, queryFn: api.me, staleTime: 0 })
    navigate(returnPath(location.state), { replace: true })
  }, [api, queryClient, navigate, location.state])
}

/** The protected page that sent the user to sign in, if any; else home. */
export function returnPath(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from
  // Only same-app paths: never an absolute URL handed in from outside.
  // URL parsing reads a backslash as a slash, so "/\evil" would mean "//evil".
  return typeof from === 'string' && /^\/(?![/\\])/.test(from) ? from : '/home'
}
