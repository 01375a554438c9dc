import { Link, Outlet } from 'react-router'

/** Frame of the pages seen before signing in. */
export function PublicLayout() {
  return (
    <div className="app app--public">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Link to="/" className="brand" aria-label="OmniFy start page">
            <span className="brand-mark" aria-hidden="true" />
            OmniFy
          </Link>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  )
}
