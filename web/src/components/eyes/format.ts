export const pct = (v: number, digits = 0) => `${(v * 100).toFixed(digits)}%`
export const num = (v: number) => v.toLocaleString()
export const money = (v: number) => v.toLocaleString(undefined, { maximumFractionDigits: 0 })
export const minor = (v: number, currency: string) => {
  try {
    return (v / 100).toLocaleString(undefined, { style: 'currency', currency })
  } catch {
    return `${(v / 100).toFixed(2)} ${currency}`
  }
}
/** "recency_days" → "recency days", for reason codes. */
export const words = (code: string) => code.replace(/_/g, ' ')
