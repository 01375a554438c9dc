// Typed calls and query keys for the analytics operations, shared by the
// home and analytics pages.
import { unwrap, type Api, type Success } from '../../api/client'

export type Overview = Success<'analytics.overview'>
export type RevenueReport = Success<'analytics.revenue'>
export type CohortReport = Success<'analytics.cohorts'>
export type RepeatCurve = Success<'analytics.repeat-curve'>
export type TopProducts = Success<'analytics.top-products'>
export type ChannelReport = Success<'analytics.channels'>
export type Interval = 'day' | 'week' | 'month'

export const analyticsKeys = {
  overview: (orgId: string) => ['orgs', orgId, 'analytics', 'overview'] as const,
  revenue: (orgId: string, interval: Interval) => ['orgs', orgId, 'analytics', 'revenue', interval] as const,
  cohorts: (orgId: string) => ['orgs', orgId, 'analytics', 'cohorts'] as const,
  repeat: (orgId: string) => ['orgs', orgId, 'analytics', 'repeat'] as const,
  products: (orgId: string) => ['orgs', orgId, 'analytics', 'products'] as const,
  channels: (orgId: string) => ['orgs', orgId, 'analytics', 'channels'] as const,
}

export const analyticsApi = (api: Api) => ({
  overview: () => unwrap(api.client.GET('/v1/analytics/overview')),
  revenue: (interval: Interval) => unwrap(api.client.GET('/v1/analytics/revenue', { params: { query: { interval } } })),
  cohorts: () => unwrap(api.client.GET('/v1/analytics/cohorts', { params: { query: { months: 12 } } })),
  repeat: () => unwrap(api.client.GET('/v1/analytics/repeat-curve', { params: { query: { max_orders: 10 } } })),
  products: () => unwrap(api.client.GET('/v1/analytics/top-products', { params: { query: { limit: 10 } } })),
  channels: () => unwrap(api.client.GET('/v1/analytics/channels')),
})
