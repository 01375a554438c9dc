import { useEffect } from 'react'

/** Sets the tab title, which screen readers also announce on navigation. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · OmniFy` : 'OmniFy'
  }, [title])
}
