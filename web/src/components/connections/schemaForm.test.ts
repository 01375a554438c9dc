import { describe, expect, it } from 'vitest'
import { fieldsFromSchema, humanize, serverFieldErrors, toPayload, validateFields } from './schemaForm'

// The shape the Shopify and Stripe connectors declare.
const shopify = {
  type: 'object',
  required: ['shop', 'access_token'],
  properties: {
    shop: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*\\.myshopify\\.com$', description: 'the shop domain, e.g. acme.myshopify.com' },
    access_token: { type: 'string', 'x-secret': true },
    client_secret: { type: 'string', 'x-secret': true },
    region: { type: 'string', enum: ['us', 'eu'] },
    page_size: { type: 'integer', minimum: 1, maximum: 250 },
    sandbox: { type: 'boolean', title: 'Sandbox store' },
  },
}

describe('fieldsFromSchema', () => {
  const fields = fieldsFromSchema(shopify, ['webhook_secret'])

  it('puts required fields first, each group by name', () => {
    expect(fields.map((f) => f.name)).toEqual(['access_token', 'shop', 'client_secret', 'page_size', 'region', 'sandbox'])
  })

  it.each([
    ['access_token', 'password', true, 'Access token'],
    ['shop', 'text', true, 'Shop'],
    ['client_secret', 'password', false, 'Client secret'],
    ['page_size', 'number', false, 'Page size'],
    ['region', 'select', false, 'Region'],
    ['sandbox', 'checkbox', false, 'Sandbox store'],
  ])('%s is a %s field, required %s, labelled %s', (name, kind, required, label) => {
    const f = fields.find((x) => x.name === name)
    expect(f).toMatchObject({ kind, required, label })
  })

  it('treats fields named in secret_fields as secret', () => {
    const f = fieldsFromSchema({ properties: { webhook_secret: { type: 'string' } } }, ['webhook_secret'])
    expect(f[0]).toMatchObject({ kind: 'password', secret: true })
  })

  it('answers no fields for a schema without properties', () => {
    expect(fieldsFromSchema(null)).toEqual([])
    expect(fieldsFromSchema({ type: 'object' })).toEqual([])
  })
})

describe('validateFields', () => {
  const fields = fieldsFromSchema(shopify)
  it.each([
    ['missing required', {}, { access_token: 'Enter the access token.', shop: 'Enter the shop.' }],
    ['bad pattern', { shop: 'acme.com', access_token: 'x' }, { shop: 'does not look right: the shop domain, e.g. acme.myshopify.com' }],
    ['number range', { shop: 'acme.myshopify.com', access_token: 'x', page_size: '500' }, { page_size: 'must be at most 250' }],
    ['whole numbers', { shop: 'acme.myshopify.com', access_token: 'x', page_size: '2.5' }, { page_size: 'must be a whole number' }],
    ['enum', { shop: 'acme.myshopify.com', access_token: 'x', region: 'mars' }, { region: 'must be one of us, eu' }],
    ['valid', { shop: 'acme.myshopify.com', access_token: 'shpat_1', region: 'eu', page_size: '50' }, {}],
  ])('%s', (_, values, want) => {
    expect(validateFields(fields, values as Record<string, string>)).toEqual(want)
  })
})

describe('toPayload', () => {
  it('types values and leaves out empty optional fields', () => {
    const fields = fieldsFromSchema(shopify)
    expect(toPayload(fields, { shop: ' acme.myshopify.com ', access_token: 't', page_size: '10', sandbox: 'true', region: '' })).toEqual({
      shop: 'acme.myshopify.com',
      access_token: 't',
      page_size: 10,
      sandbox: true,
    })
  })
})

describe('serverFieldErrors', () => {
  it('keys credential errors by field name and drops the rest', () => {
    expect(serverFieldErrors({ 'credentials.shop': 'is not a shop', name: 'too long' })).toEqual({ shop: 'is not a shop' })
  })
})

it('humanize', () => {
  expect(humanize('access_token')).toBe('Access token')
  expect(humanize('apiKey')).toBe('Api key')
})
