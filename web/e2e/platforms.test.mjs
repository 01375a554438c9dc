// Browser test of a platform round trip against a real omnify binary and a
// fake Klaviyo account (internal/e2evendor): connect Klaviyo through the
// form generated from its credential schema (a malformed key, a wrong key,
// then the right one), sync it, import orders whose emails overlap the
// Klaviyo profiles, run EYES, and send a segment to a Klaviyo list, twice.
// The fake's list must then hold exactly the consented people the dashboard
// said it added.
//
//   make build && go build -o bin/e2evendor ./internal/e2evendor && cd web && \
//     OMNIFY_E2E_BIN=$PWD/../bin/omnify OMNIFY_E2E_VENDOR_BIN=$PWD/../bin/e2evendor node --test e2e/platforms.test.mjs
//
// Chromium comes from the system (/usr/bin/chromium, or OMNIFY_E2E_CHROMIUM).

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { seriousViolations } from './axe.mjs'
import { startServer } from './server.mjs'

const bin = process.env.OMNIFY_E2E_BIN
const vendorBin = process.env.OMNIFY_E2E_VENDOR_BIN
const chromiumPath = process.env.OMNIFY_E2E_CHROMIUM ?? '/usr/bin/chromium'
const shots = fileURLToPath(new URL('../test-results/', import.meta.url))
const skip = bin && vendorBin ? false : 'set OMNIFY_E2E_BIN and OMNIFY_E2E_VENDOR_BIN to built omnify and e2evendor binaries'

const owner = { org: 'Lumen Tea Co', email: 'mo@lumen.test', password: 'amber-orchard-signal-58' }
const profiles = 300
const listName = 'Win-back regulars'

let vendor
let server
let browser
let page
const pageErrors = []

before(async () => {
  if (skip) return
  await mkdir(shots, { recursive: true })
  for (const f of await readdir(shots)) {
    if (f.startsWith('platforms-')) await rm(shots + f, { force: true })
  }
  vendor = await startVendor()
  server = await startServer(bin, { env: { OMNIFY_KLAVIYO_BASE_URL: vendor.klaviyo.url } })
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  page = await context.newPage()
  page.setDefaultTimeout(15_000)
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/status of 4\d\d/.test(msg.text())) pageErrors.push(`console: ${msg.text()}`)
  })
})

after(async () => {
  await browser?.close().catch(() => {})
  await server?.stop()
  await vendor?.stop()
})

/** Starts e2evendor and resolves with the URLs and key of its first stdout line. */
async function startVendor() {
  const child = spawn(vendorBin, ['-profiles', String(profiles)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const stop = async () => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await once(child, 'exit')
    }
  }
  const lines = createInterface({ input: child.stdout })
  const first = await Promise.race([
    once(lines, 'line').then(([l]) => l),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`e2evendor exited early with code ${code}`))),
    new Promise((_, reject) => setTimeout(() => reject(new Error('e2evendor printed nothing within 10 s')), 10_000)),
  ]).catch(async (err) => {
    await stop()
    throw err
  })
  return { ...JSON.parse(first), stop }
}

/**
 * Orders for 400 customers: the first 300 share their emails with the fake
 * Klaviyo profiles (customer0@example.com, …), the rest are only here. The
 * file carries no consent, so Klaviyo's consent decides for the shared ones
 * and the others have none.
 */
function ordersCsv() {
  const rows = ['customer_id,order_date,amount,email']
  let seed = 7
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  for (let i = 0; i < 400; i++) {
    const email = i < profiles ? `customer${i}@example.com` : `walkin${i}@lumen.test`
    const orders = 1 + Math.floor(next() * (i % 4 === 0 ? 9 : 3))
    for (let k = 0; k < orders; k++) {
      const day = new Date(Date.UTC(1997, 0, 1) + Math.floor(next() * 540) * 86_400_000).toISOString().slice(0, 10)
      rows.push(`L${i},${day},${(5 + next() * (i % 5 === 0 ? 300 : 60)).toFixed(2)},${email}`)
    }
  }
  return Buffer.from(rows.join('\n') + '\n')
}

/** Screenshots at 1280 and 390 px; at 390 the page must not scroll sideways and must stay accessible. */
async function shotBoth(name, { fullPage = true } = {}) {
  await page.screenshot({ path: `${shots}platforms-${name}-1280.png`, fullPage })
  await page.setViewportSize({ width: 390, height: 844 })
  await page.waitForTimeout(300)
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  await page.screenshot({ path: `${shots}platforms-${name}-390.png`, fullPage })
  const narrow = await seriousViolations(page)
  await page.setViewportSize({ width: 1280, height: 800 })
  assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px at 390px`)
  assert.deepEqual(narrow, [], `serious accessibility violations on ${name} at 390px`)
}

async function assertAccessible(where) {
  assert.deepEqual(await seriousViolations(page), [], `serious accessibility violations on ${where}`)
}

const num = (s) => Number(s.replace(/,/g, ''))

test('Klaviyo: connect, sync, EYES, send a segment to a list', { skip, timeout: 150_000 }, async (t) => {
  await t.test('sign up', async () => {
    await page.goto(server.baseUrl + '/signup')
    await page.getByLabel('Organisation name').fill(owner.org)
    await page.getByLabel('Work email').fill(owner.email)
    await page.getByLabel('Password').fill(owner.password)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL('**/home')
  })

  const klaviyo = () => page.getByRole('region', { name: 'Klaviyo' })

  await t.test('a malformed key is refused beside its field, a wrong one by Klaviyo', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click()
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor()
    await assertAccessible('Connections')
    await klaviyo().getByRole('button', { name: 'Connect Klaviyo' }).click()
    const form = page.getByRole('form', { name: 'Connect Klaviyo' })
    const key = form.getByLabel('Private API key')
    await key.fill('not-a-klaviyo-key')
    await form.getByRole('button', { name: 'Connect Klaviyo' }).click()
    await form.locator('.field--invalid .field-error').first().waitFor()
    assert.equal(await key.getAttribute('aria-invalid'), 'true')

    await key.fill('pk_notthekeyofthisaccount')
    await form.getByRole('button', { name: 'Connect Klaviyo' }).click()
    const alert = form.getByRole('alert')
    await alert.waitFor()
    assert.match(await alert.textContent(), /credentials/i)
    await assertAccessible('Connections with a refused key')
  })

  await t.test('the right key connects, and a sync stores the profiles', async () => {
    const form = page.getByRole('form', { name: 'Connect Klaviyo' })
    await form.getByLabel('Private API key').fill(vendor.klaviyo.api_key)
    await form.getByRole('button', { name: 'Connect Klaviyo' }).click()
    await form.waitFor({ state: 'detached' })
    await klaviyo().getByText('Never synced').waitFor()
    await klaviyo().getByRole('button', { name: 'Sync now' }).click()
    await klaviyo().locator('.sync-line').filter({ hasText: /Waiting to start|Syncing|Last sync finished/ }).waitFor()
    const done = klaviyo().locator('.sync-line').filter({ hasText: /Last sync finished: [\d,]+ records stored/ })
    await done.waitFor({ timeout: 45_000 })
    const stored = num((await done.textContent()).match(/([\d,]+) records stored/)[1])
    assert.ok(stored >= profiles, `only ${stored} records stored from ${profiles} profiles`)
    await klaviyo().getByText(/Last synced/).waitFor()
    await assertAccessible('Connections after a sync')
    await shotBoth('connections')
  })

  await t.test('orders import and EYES runs', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Get started' }).click()
    await page.getByRole('heading', { level: 1, name: 'Get started' }).waitFor()
    await page.getByLabel('CSV file').setInputFiles({ name: 'lumen-orders.csv', mimeType: 'text/csv', buffer: ordersCsv() })
    await page.getByRole('button', { name: 'Import file' }).click()
    await page.getByText(/Imported [\d,]+ rows: 400 customers/).waitFor({ timeout: 30_000 })
    await page.getByLabel('Analyse orders up to').fill('1998-07-01')
    await page.getByRole('button', { name: 'Run EYES' }).click()
    await page.getByText('Run 1: Finished').waitFor({ timeout: 45_000 })
    await assertAccessible('Get started, EYES run')
  })

  let sent = { added: 0, skipped: 0 }
  await t.test('a segment goes to a Klaviyo list with consented people only', async () => {
    await page.getByRole('link', { name: 'Open EYES segments' }).click()
    await page.getByRole('heading', { level: 1, name: 'EYES' }).waitFor()
    const cards = page.getByRole('list', { name: 'Segments' }).getByRole('listitem')
    await cards.first().waitFor()
    // The largest segment, so it surely holds Klaviyo profiles.
    const sizes = (await cards.locator('dt:text("Customers") + dd').allTextContents()).map((s) => num(s.split(' ')[0]))
    const card = cards.nth(sizes.indexOf(Math.max(...sizes)))
    await assertAccessible('EYES')

    const open = card.getByRole('button', { name: /^Send to…/ })
    await open.click()
    const dialog = page.getByRole('dialog', { name: /^Send “.+” to a platform$/ })
    await dialog.waitFor()
    const conn = dialog.getByLabel('Connection')
    assert.deepEqual(await conn.locator('option').allTextContents(), ['Klaviyo'])
    await dialog.getByText(/Klaviyo list name or ID/).waitFor()
    await dialog.getByRole('button', { name: 'Send to Klaviyo' }).click()
    await dialog.getByText('List name is required: the list to put these people in').waitFor()
    assert.equal(await dialog.getByLabel('List name').getAttribute('aria-invalid'), 'true')
    await assertAccessible('Send dialog with a field error')

    await dialog.getByLabel('List name').fill(listName)
    await dialog.getByRole('button', { name: 'Send to Klaviyo' }).click()
    await dialog.getByRole('heading', { name: 'Sent' }).waitFor({ timeout: 30_000 })
    const words = await dialog.getByRole('status').textContent()
    const added = words.match(new RegExp(`Added ([\\d,]+) (?:people|person) to the list “${listName}”`))
    const skipped = words.match(/Skipped ([\d,]+) (?:people|person) without marketing consent/)
    assert.ok(added, `no added count in “${words}”`)
    assert.ok(skipped, `no skipped count in “${words}”`)
    sent = { added: num(added[1]), skipped: num(skipped[1]) }
    assert.ok(sent.added > 0 && sent.skipped > 0, `added ${sent.added}, skipped ${sent.skipped}`)
    await assertAccessible('Send dialog with its result')
    // The dialog sits over the page: the viewport shows it as a person sees it.
    await shotBoth('push', { fullPage: false })

    await dialog.getByRole('button', { name: 'Close' }).click()
    await dialog.waitFor({ state: 'detached' })
    assert.equal(await open.evaluate((el) => el === document.activeElement), true, 'focus did not return to Send to…')
    const last = card.locator('.push-last')
    await last.filter({ hasText: `Last sent to Klaviyo list “${listName}”` }).waitFor()
    assert.match(await last.textContent(), new RegExp(`: ${sent.added.toLocaleString('en-US')} added, ${sent.skipped.toLocaleString('en-US')} skipped without consent`))

    // Sending again to the same list sends only the difference: none.
    await open.click()
    await dialog.getByLabel('List name').fill(listName)
    await dialog.getByRole('button', { name: 'Send to Klaviyo' }).click()
    await dialog.getByText(`Nothing to change: the list “${listName}” already matches the segment.`).waitFor({ timeout: 30_000 })
    await dialog.getByRole('button', { name: 'Close' }).click()
    await last.filter({ hasText: /: 0 added, / }).waitFor()
  })

  await t.test('the Klaviyo list holds exactly the consented people sent', async () => {
    const res = await fetch(`${vendor.inspect}/_audience?list=${encodeURIComponent(listName)}`)
    assert.equal(res.status, 200)
    const { members } = await res.json()
    assert.equal(members.length, sent.added)
    const notConsented = members.filter((m) => m.consent !== 'SUBSCRIBED')
    assert.deepEqual(notConsented, [], 'people without consent reached the list')
    assert.ok(
      members.every((m) => /^customer\d+@example\.com$/.test(m.email)),
      'someone outside the Klaviyo account was sent, though none of them has consent',
    )
  })

  await t.test('no page errors', () => {
    assert.deepEqual(pageErrors, [])
  })
})
