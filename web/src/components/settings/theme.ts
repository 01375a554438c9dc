// Branding rules shared by the settings form and the app shell: the same
// colour check the server applies, and the CSS variables a branding sets.
import type { CSSProperties } from 'react'

export const minContrast = 4.5
export const maxLogoBytes = 64 * 1024
export const logoTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const

export interface Branding {
  display_name: string
  primary_color: string
  logo_url: string
}

export function isHexColour(c: string): boolean {
  return /^#[0-9a-fA-F]{6}$/.test(c)
}

function channel(v: number): number {
  const c = v / 255
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
}

/** WCAG 2 contrast ratio of white text on the #rrggbb colour. */
export function contrastWithWhite(hex: string): number {
  if (!isHexColour(hex)) return 1
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]
  const l = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
  return 1.05 / (l + 0.05)
}

/** Why a colour cannot be the primary colour, or undefined when it can. */
export function colourProblem(hex: string): string | undefined {
  if (hex === '') return undefined
  if (!isHexColour(hex)) return 'Write the colour as #rrggbb, e.g. #1f4e79.'
  const ratio = contrastWithWhite(hex)
  if (ratio < minContrast) {
    return `White text on ${hex.toLowerCase()} has a contrast of ${ratio.toFixed(2)}:1, below the 4.5:1 needed to stay readable. Choose a darker colour.`
  }
  return undefined
}

/** The colour mixed with black, e.g. for hover states. */
export function darken(hex: string, amount: number): string {
  const parts = [1, 3, 5].map((i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * (1 - amount)))
  return '#' + parts.map((v) => v.toString(16).padStart(2, '0')).join('')
}

/** CSS variables that re-theme the dashboard; empty for the default look. */
export function themeStyle(b: Partial<Branding> | undefined): CSSProperties {
  const c = b?.primary_color ?? ''
  if (!isHexColour(c) || contrastWithWhite(c) < minContrast) return {}
  return { '--brand': c, '--brand-strong': darken(c, 0.25) } as CSSProperties
}

/** Why a logo file cannot be used, or undefined when it can. */
export function logoProblem(file: { type: string; size: number }): string | undefined {
  if (!(logoTypes as readonly string[]).includes(file.type)) return 'Choose a PNG, JPEG, GIF or WebP image.'
  if (file.size > maxLogoBytes) return `The image is ${Math.ceil(file.size / 1024)} KiB; logos may be at most 64 KiB.`
  return undefined
}
