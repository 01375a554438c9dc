import { Link } from 'react-router'
import { useHasSession } from '../auth/session'
import { SystemStatus } from '../components/SystemStatus'
import { useDocumentTitle } from '../lib/useDocumentTitle'

export function Landing() {
  useDocumentTitle('')
  const signedIn = useHasSession()
  return (
    <div className="landing">
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Know which customers to keep, win back and grow</h1>
        <p className="lede">
          OmniFy brings your store and ad platforms together, segments customers by what they are worth, and tells you
          what to do next.
        </p>
        <div className="actions">
          {signedIn ? (
            <Link className="button" to="/home">
              Open your dashboard
            </Link>
          ) : (
            <>
              <Link className="button" to="/signup">
                Create an account
              </Link>
              <Link className="button button--secondary" to="/signin">
                Sign in
              </Link>
            </>
          )}
        </div>
      </section>
      <SystemStatus />
    </div>
  )
}
