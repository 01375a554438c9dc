import { useEffect, useRef, useState } from 'react'
import type { EChartsCoreOption } from 'echarts/core'

// Colours distinguishable on white and for common colour blindness
// (Okabe–Ito), dark enough for thin lines.
export const palette = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#7a5c00', '#56b4e9', '#000000']

/**
 * A canvas chart, loaded on demand. The canvas is decoration for sighted
 * users: label describes it and every chart sits next to a table with the
 * same numbers.
 */
export function Chart({ option, label, height = 300 }: { option: EChartsCoreOption; label: string; height?: number }) {
  const ref = useRef<HTMLDivElement>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    let disposed = false
    let dispose = () => {}
    import('./echarts')
      .then(({ echarts }) => {
        if (disposed || !ref.current) return
        const chart = echarts.init(ref.current, undefined, { renderer: 'canvas' })
        chart.setOption({ color: palette, animation: false, ...option })
        const resize = () => chart.resize()
        window.addEventListener('resize', resize)
        dispose = () => {
          window.removeEventListener('resize', resize)
          chart.dispose()
        }
      })
      .catch(() => setFailed(true))
    return () => {
      disposed = true
      dispose()
    }
  }, [option])
  if (failed) return <p className="muted">The chart could not be loaded; the table below has the same numbers.</p>
  return <div ref={ref} className="chart" role="img" aria-label={label} style={{ height }} />
}
