// Browser test of the home, analytics and settings pages against a real
// omnify binary: demo data and an EYES run are loaded through the API, then
// the pages are checked for their numbers, accessibility (axe) and layout
// at 1280 and 390 px; branding re-themes the dashboard; a member is
// invited, promoted and removed; the audit log is filtered.
//
//   make build && cd web && OMNIFY_E2E_BIN=$PWD/../bin/omnify node --test e2e/settings.test.mjs

import assert from 'node:assert/strict'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { seriousViolations } from './axe.mjs'
import { startServer } from './server.mjs'

const bin = process.env.OMNIFY_E2E_BIN
const chromiumPath = process.env.OMNIFY_E2E_CHROMIUM ?? '/usr/bin/chromium'
const shots = fileURLToPath(new URL('../test-results/', import.meta.url))
const skip = bin ? false : 'set OMNIFY_E2E_BIN to a built omnify binary to run the browser test'

const owner = { org: 'Harbour Tea Company', email: 'hana@harbour.test', password: 'amber-lighthouse-kettle-58' }
const teammate = { email: 'ivo@harbour.test', password: 'silver-orchard-lantern-31' }
const brandColour = '#0b5394'

let server
let browser
let page
let token
const pageErrors = []

async function call(method, path, body, bearer = token) {
  const res = await fetch(server.baseUrl + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : undefined, text }
}

/** Loads demo data and waits for one EYES run over it. */
async function seed() {
  const reg = await call('POST', '/v1/auth/register', { email: owner.email, password: owner.password, org_name: owner.org }, null)
  assert.equal(reg.status, 201, reg.text)
  token = reg.json.access_token
  const other = await call('POST', '/v1/auth/register', { email: teammate.email, password: teammate.password, org_name: 'Ivo Studio' }, null)
  assert.equal(other.status, 201, other.text)
  const demo = await call('POST', '/v1/demo', { customers: 400, seed: 11 })
  assert.equal(demo.status, 201, demo.text)
  const run = await call('POST', '/v1/eyes/runs', {})
  assert.ok(run.status === 201 || run.status === 202, run.text)
  const deadline = Date.now() + 120_000
  for (;;) {
    const runs = await call('GET', '/v1/eyes/runs')
    const status = runs.json?.items?.[0]?.status
    if (status === 'succeeded') return
    assert.notEqual(status, 'failed', `EYES run failed: ${runs.text}`)
    assert.ok(Date.now() < deadline, `EYES run still ${status} after two minutes`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

before(async () => {
  if (skip) return
  // Only this test's screenshots are replaced; other tests' stay.
  await mkdir(shots, { recursive: true })
  for (const f of await readdir(shots)) {
    if (/^(home|analytics|settings)-/.test(f)) await rm(shots + f, { force: true })
  }
  server = await startServer(bin)
  await seed()
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  page = await context.newPage()
  page.setDefaultTimeout(20_000)
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`)
  })
  page.on('dialog', (d) => void d.accept())
})

after(async () => {
  await browser?.close().catch(() => {})
  await server?.stop()
})

const shot = (name) => page.screenshot({ path: `${shots}${name}.png`, fullPage: true })

async function noAxeViolations() {
  const v = await seriousViolations(page)
  assert.deepEqual(v, [], `serious accessibility violations on ${new URL(page.url()).pathname}`)
}

/** Checks the page fits 390 px without sideways scrolling and screenshots it there. */
async function fitsPhone(name) {
  await page.setViewportSize({ width: 390, height: 844 })
  await page.waitForTimeout(300) // charts resize on the window's resize event
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px at 390px`)
  await noAxeViolations()
  await shot(`${name}-390`)
  await page.setViewportSize({ width: 1280, height: 800 })
}

const nav = (name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true })
const memberRow = (email) => page.getByRole('row').filter({ hasText: email })

test('home, analytics and settings', { skip, timeout: 300_000 }, async (t) => {
  await t.test('sign in lands on the KPI home page', async () => {
    await page.goto(server.baseUrl + '/signin')
    await page.getByLabel('Email').fill(owner.email)
    await page.getByLabel('Password').fill(owner.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { level: 1, name: owner.org }).waitFor()
    const kpis = page.getByRole('region', { name: 'Last 30 days' })
    await kpis.getByText('Revenue', { exact: true }).waitFor()
    // The tile says the trend in words, not only with an arrow.
    assert.match(await kpis.innerText(), /(up|down) \d+% on the previous 30 days|about the same as|nothing to compare/)
    const risk = page.getByRole('region', { name: 'Customers at high churn risk' })
    await risk.getByText('Within 90 days').waitFor()
    await page.getByRole('heading', { name: 'What changed since the last EYES run' }).waitFor()
    await noAxeViolations()
    await shot('home-1280')
    await fitsPhone('home')
  })

  await t.test('analytics draws its charts and keeps the numbers in tables', async () => {
    await nav('Analytics').click()
    await page.getByRole('heading', { level: 1, name: 'Analytics' }).waitFor()
    const revenue = page.getByRole('region', { name: 'Revenue and orders by platform' })
    await revenue.locator('canvas').first().waitFor()
    await revenue.getByText('Show the numbers as a table').click()
    // Weekly periods are labelled by day, monthly ones by month and year.
    const firstPeriod = revenue.getByRole('table').getByRole('rowheader').first()
    assert.doesNotMatch(await firstPeriod.innerText(), /\d{4}/)
    await revenue.getByLabel('Monthly').check()
    await page.waitForFunction(() => /\d{4}/.test(document.querySelector('[aria-labelledby="revenue-title"] tbody th')?.textContent ?? ''))
    const cohorts = page.getByRole('region', { name: 'Cohort retention' })
    await cohorts.locator('canvas').first().waitFor()
    await page.getByRole('region', { name: 'Repeat purchases' }).locator('canvas').first().waitFor()
    await page.getByRole('region', { name: 'Channels' }).getByRole('table').waitFor()
    await page.getByRole('region', { name: 'Top products' }).waitFor()
    await noAxeViolations()
    await shot('analytics-1280')
    await fitsPhone('analytics')
  })

  await t.test('branding is checked and re-themes the whole dashboard', async () => {
    await nav('Settings').click()
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
    const colour = page.getByLabel('Primary colour', { exact: true })
    await colour.fill('#ffcc00')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText(/contrast of 1\.\d+:1, below the 4\.5:1/).waitFor()
    assert.equal(await colour.getAttribute('aria-invalid'), 'true')
    await colour.fill(brandColour)
    await page.getByLabel('Display name').fill('Harbour Tea')
    // The preview follows the form before anything is saved.
    const preview = page.getByRole('group', { name: 'Preview' })
    assert.equal(await preview.evaluate((el) => el.style.getPropertyValue('--brand')), brandColour)
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Saved. The dashboard now uses this branding.').waitFor()
    await page.getByRole('link', { name: 'Harbour Tea home' }).waitFor()
    const brand = await page.evaluate(() => getComputedStyle(document.querySelector('.app')).getPropertyValue('--brand').trim())
    assert.equal(brand, brandColour)
    // Buttons across the dashboard take the colour.
    await page.mouse.move(0, 0)
    const bg = await page.getByRole('button', { name: 'Save' }).evaluate((el) => getComputedStyle(el).backgroundColor)
    assert.equal(bg, 'rgb(11, 83, 148)')
  })

  await t.test('invite a member, change the role, remove them', async () => {
    await page.getByLabel('Email', { exact: true }).fill(teammate.email)
    await page.getByLabel('Role', { exact: true }).selectOption('viewer')
    await page.getByRole('button', { name: 'Add to organisation' }).click()
    await page.getByText(`${teammate.email} was added as viewer.`).waitFor()
    const role = memberRow(teammate.email).getByRole('combobox', { name: `Role of ${teammate.email}` })
    await role.selectOption('analyst')
    await page.getByText(`${teammate.email} is now analyst.`).waitFor()
    // The list refetches after the change; the select settles on the new role.
    await role.evaluate((el) => new Promise((resolve, reject) => {
      const deadline = Date.now() + 10_000
      const check = () => (el.value === 'analyst' ? resolve() : Date.now() > deadline ? reject(new Error(`role is ${el.value}`)) : setTimeout(check, 50))
      check()
    }))
    assert.equal(await role.inputValue(), 'analyst')
    // The last owner cannot step down: the API refuses and the page says so.
    await memberRow(owner.email).getByRole('combobox').selectOption('admin')
    await page.getByRole('alert').filter({ hasText: /owner/i }).waitFor()
    await memberRow(teammate.email).getByRole('button', { name: `Remove ${teammate.email}` }).click()
    await page.getByText(`${teammate.email} was removed.`).waitFor()
    await memberRow(teammate.email).waitFor({ state: 'detached' })
  })

  await t.test('the audit log filters by action and actor', async () => {
    const audit = page.getByRole('region', { name: 'Audit log' })
    await audit.getByRole('table').waitFor()
    await page.getByLabel('Action').fill('members.update')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await audit.getByRole('row').filter({ hasText: 'members.update' }).first().waitFor()
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('.audit-table tbody tr td:nth-child(2)')]
      return cells.length > 0 && cells.every((c) => c.textContent === 'members.update')
    })
    await page.getByLabel('Actor').selectOption({ label: owner.email })
    await page.getByLabel('Action').fill('orgs.update')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await page.waitForFunction(() => {
      const cells = [...document.querySelectorAll('.audit-table tbody tr td:nth-child(2)')]
      return cells.length > 0 && cells.every((c) => c.textContent === 'orgs.update')
    })
    await noAxeViolations()
    await shot('settings-1280')
    await fitsPhone('settings')
  })

  await t.test('no script errors or policy violations', () => {
    // The refused role change (409) is an answer the test asked for.
    const unexpected = pageErrors.filter((e) => !/Failed to load resource: .* status of 409\b/.test(e))
    assert.deepEqual(unexpected, [])
  })
})
