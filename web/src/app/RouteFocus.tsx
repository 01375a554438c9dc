import { useEffect, useRef } from 'react'
import { useLocation } from 'react-router'

/**
 * Moves focus to the main region after each client-side navigation (not the
 * first load), as a full page load would, so keyboard and screen-reader
 * users start at the new page's content.
 */
export function RouteFocus() {
  const { pathname } = useLocation()
  const last = useRef(pathname)
  useEffect(() => {
    if (last.current === pathname) return
    last.current = pathname
    // Wait a frame: lazy pages and redirects render main after this effect.
    const id = requestAnimationFrame(() => {
      const main = document.getElementById('main')
      if (main && !main.contains(document.activeElement)) main.focus()
    })
    return () => cancelAnimationFrame(id)
  }, [pathname])
  return null
}
