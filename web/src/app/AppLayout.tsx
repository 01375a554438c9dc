import type { ReactNode } from 'react'
import { Link, NavLink } from 'react-router'
import type { Me } from '../api/client'
import { useApi } from '../auth/session'
import { themeStyle } from '../components/settings/theme'
import { OrgSwitcher } from './OrgSwitcher'

// Pages of the signed-in app, in menu order; each has a route in App.
const nav = [
  { to: '/home', label: 'Home' },
  { to: '/get-started', label: 'Get started' },
  { to: '/connections', label: 'Connections' },
  { to: '/eyes', label: 'EYES' },
  { to: '/analytics', label: 'Analytics' },
  { to: '/settings', label: 'Settings' },
] as const

export function AppLayout({ me, children }: { me: Me; children: ReactNode }) {
  const api = useApi()
  // Logging out forgets the tokens at once; RequireAuth then leaves for the
  // sign-in page while the server revokes the refresh token.
  const signOut = () => void api.logout()
  return (
    // The org's branding re-themes the whole dashboard through CSS variables.
    <div className="app" style={themeStyle(me.branding)}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Link to="/home" className="brand" aria-label={`${me.branding?.display_name || 'OmniFy'} home`}>
            {me.branding?.logo_url ? (
              <img className="brand-logo" src={me.branding.logo_url} alt="" />
            ) : (
              <span className="brand-mark" aria-hidden="true" />
            )}
            {me.branding?.display_name || 'OmniFy'}
          </Link>
          <OrgSwitcher me={me} />
          <div className="user-menu">
            <span className="user-email" title={me.user.email}>
              {me.user.email}
            </span>
            <button type="button" className="button button--secondary button--small" onClick={signOut}>
              Sign out
            </button>
          </div>
        </div>
        <nav className="app-nav" aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to}>{item.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  )
}
