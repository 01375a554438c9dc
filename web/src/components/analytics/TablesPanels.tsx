import { useQuery } from '@tanstack/react-query'
import { useApi } from '../../auth/session'
import { EmptyState, ErrorState, Loading } from '../States'
import { analyticsApi, analyticsKeys } from './data'
import { money, percent } from './format'

/** The best-selling products by line revenue. */
export function TopProductsPanel({ orgId }: { orgId: string }) {
  const api = useApi()
  const q = useQuery({ queryKey: analyticsKeys.products(orgId), queryFn: analyticsApi(api).products })
  return (
    <section className="panel" aria-labelledby="products-title">
      <h2 id="products-title">Top products</h2>
      {q.isPending && <Loading label="Loading products…" />}
      {q.isError && <ErrorState title="Could not load products" error={q.error} onRetry={() => void q.refetch()} />}
      {q.isSuccess && (q.data.items ?? []).length === 0 && <EmptyState title="No product lines yet">Products appear once orders with line items are synced or imported.</EmptyState>}
      {q.isSuccess && (q.data.items ?? []).length > 0 && (
        <div className="table-scroll" tabIndex={0}>
          <table className="table">
            <caption className="visually-hidden">Top products by revenue</caption>
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col" className="num">Units</th>
                <th scope="col" className="num">Orders</th>
                <th scope="col" className="num">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {(q.data.items ?? []).map((p) => (
                <tr key={p.key}>
                  <th scope="row">
                    {p.title || p.sku || p.key}
                    {p.sku && p.title ? <span className="muted"> · {p.sku}</span> : null}
                  </th>
                  <td className="num">{p.quantity.toLocaleString()}</td>
                  <td className="num">{p.orders.toLocaleString()}</td>
                  <td className="num">{money(p.revenue_minor, q.data.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** Campaign spend and returns per channel and platform. */
export function ChannelsPanel({ orgId }: { orgId: string }) {
  const api = useApi()
  const q = useQuery({ queryKey: analyticsKeys.channels(orgId), queryFn: analyticsApi(api).channels })
  const items = q.data?.items ?? []
  return (
    <section className="panel" aria-labelledby="channels-title">
      <h2 id="channels-title">Channels</h2>
      {q.isPending && <Loading label="Loading channels…" />}
      {q.isError && <ErrorState title="Could not load channels" error={q.error} onRetry={() => void q.refetch()} />}
      {q.isSuccess && items.length === 0 && <EmptyState title="No campaign results yet">Connect an ads or email platform to compare channels.</EmptyState>}
      {q.isSuccess && items.length > 0 && (
        <div className="table-scroll" tabIndex={0}>
          <table className="table">
            <caption className="visually-hidden">Campaign results per channel and platform</caption>
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">Platform</th>
                <th scope="col" className="num">Spend</th>
                <th scope="col" className="num">Revenue</th>
                <th scope="col" className="num">ROAS</th>
                <th scope="col" className="num">Clicks</th>
                <th scope="col" className="num">CTR</th>
                <th scope="col" className="num">Conversions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={`${c.channel}/${c.platform}/${c.currency}`}>
                  <th scope="row">{c.channel}</th>
                  <td>{c.platform}</td>
                  <td className="num">{money(c.spend_minor, c.currency)}</td>
                  <td className="num">{money(c.revenue_minor, c.currency)}</td>
                  <td className="num">{c.roas == null ? '—' : `${c.roas.toFixed(2)}×`}</td>
                  <td className="num">{c.clicks.toLocaleString()}</td>
                  <td className="num">{c.ctr == null ? '—' : percent(c.ctr)}</td>
                  <td className="num">{c.conversions.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
