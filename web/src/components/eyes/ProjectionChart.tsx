import { useEffect, useMemo, useRef, useState } from 'react'
import { ErrorState, Loading } from '../States'
import { num } from './format'
import { toSeries, type Projection } from './projection'

/** Most points drawn; the endpoint already samples to about this many. */
const maxDrawn = 50_000

/** Customers in the run's 2-D projection, one colour and symbol per segment, drawn on canvas. */
export function ProjectionChart({ projection, onPick }: { projection: Projection; onPick: (customerId: string) => void }) {
  const el = useRef<HTMLDivElement>(null)
  const [failed, setFailed] = useState<unknown>(null)
  const [ready, setReady] = useState(false)
  const series = useMemo(() => toSeries(projection, maxDrawn), [projection])
  const pick = useRef(onPick)
  pick.current = onPick

  useEffect(() => {
    let disposed = false
    let chart: { dispose: () => void; resize: () => void } | undefined
    const onResize = () => chart?.resize()
    import('./echartsScatter')
      .then(({ echarts }) => {
        if (disposed || !el.current) return
        const c = echarts.init(el.current, undefined, { renderer: 'canvas' })
        chart = c
        c.setOption(optionFor(series))
        c.on('click', (p) => {
          const idx = Array.isArray(p.value) ? Number(p.value[2]) : NaN
          const id = projection.customer_ids?.[idx]
          if (id) pick.current(id)
        })
        window.addEventListener('resize', onResize)
        setReady(true)
      })
      .catch((err: unknown) => setFailed(err))
    return () => {
      disposed = true
      window.removeEventListener('resize', onResize)
      chart?.dispose()
    }
  }, [series, projection])

  const shown = series.reduce((n, s) => n + s.points.length, 0)
  const summary = `Scatter plot of ${num(shown)} customers in ${series.length} segments: ${series.map((s) => `${s.name} ${num(s.points.length)}`).join(', ')}.`
  return (
    <figure className="chart-figure">
      <figcaption>
        <strong>Customers by segment</strong>
        <span className="muted">
          {' '}
          — each dot is a customer placed by the two main directions of their recency, frequency and spend (PCA).
          {projection.sampled && ` ${num(shown)} of ${num(projection.total)} shown, every segment in its share.`} Select a dot to open the
          customer.
        </span>
      </figcaption>
      {failed !== null && <ErrorState title="The chart could not load" error={failed} />}
      {!ready && failed === null && <Loading label="Drawing the chart…" />}
      <div ref={el} className="scatter" role="img" aria-label={summary} />
    </figure>
  )
}

function optionFor(series: ReturnType<typeof toSeries>) {
  return {
    animation: false,
    grid: { left: 40, right: 16, top: 48, bottom: 32 },
    legend: { type: 'scroll', top: 0, textStyle: { color: '#111827' } },
    tooltip: {
      trigger: 'item',
      // Drawn on the canvas: the HTML tooltip would need inline styles,
      // which the dashboard's content security policy forbids.
      renderMode: 'richText',
      formatter: (p: { seriesName?: string }) => p.seriesName ?? '',
    },
    xAxis: { type: 'value', name: 'PC1', scale: true, splitLine: { show: false } },
    yAxis: { type: 'value', name: 'PC2', scale: true, splitLine: { show: false } },
    series: series.map((s) => ({
      type: 'scatter',
      name: s.name,
      data: s.points,
      symbol: s.symbol,
      symbolSize: 4,
      large: s.points.length > 2000,
      largeThreshold: 2000,
      itemStyle: { color: s.color, opacity: 0.7 },
      emphasis: { focus: 'series' },
    })),
  }
}
