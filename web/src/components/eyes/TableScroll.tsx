import type { ReactNode } from 'react'

/**
 * A table that scrolls sideways on narrow screens. The scroll box takes
 * focus so keyboard users can scroll it too.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  )
}
