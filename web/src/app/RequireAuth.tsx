import type { ReactNode } from 'react'
import { Navigate, Outlet, useLocation, useOutletContext } from 'react-router'
import type { Me } from '../api/client'
import type { EndReason } from '../api/tokens'
import { useApi, useHasSession, useMe } from '../auth/session'
import { returnPath } from '../auth/useSignIn'
import { ErrorState, Loading } from '../components/States'
import { AppLayout } from './AppLayout'

/** Guards the signed-in part of the app and hands pages the current user. */
export function RequireAuth() {
  const { tokens } = useApi()
  const hasSession = useHasSession()
  const location = useLocation()
  const me = useMe()
  if (!hasSession) return <Navigate to="/signin" replace state={signInState(tokens.endReason(), location.pathname + location.search)} />
  if (me.isPending) {
    return (
      <main id="main" className="main">
        <Loading label="Loading your organisation…" />
      </main>
    )
  }
  if (me.isError) {
    return (
      <main id="main" className="main">
        <ErrorState title="Could not load your account" error={me.error} onRetry={() => void me.refetch()} />
      </main>
    )
  }
  return (
    <AppLayout me={me.data}>
      <Outlet context={me.data} />
    </AppLayout>
  )
}

/** What the sign-in page says and where it returns to. Signing out on purpose returns nowhere. */
function signInState(reason: EndReason | null, from: string): SignInState {
  if (reason === 'signed-out') return { notice: 'signed-out' }
  return { from, notice: reason === 'expired' ? 'expired' : 'required' }
}

export interface SignInState {
  from?: string
  notice?: 'signed-out' | 'expired' | 'required'
}

/** The signed-in user; only for pages under RequireAuth. */
export function useSignedIn(): Me {
  return useOutletContext<Me>()
}

/** Sends signed-in users past the sign-in and sign-up pages. */
export function GuestOnly({ children }: { children: ReactNode }) {
  const hasSession = useHasSession()
  const location = useLocation()
  return hasSession ? <Navigate to={returnPath(location.state)} replace /> : children
}
