// Accessibility check for browser tests: runs axe-core in the page and
// returns the violations of serious or critical impact, described in one
// line each so a failed assertion says what to fix.

import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
let source

/** Returns the page's serious and critical axe violations as strings. */
export async function seriousViolations(page) {
  source ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8')
  if (!(await page.evaluate(() => 'axe' in window))) {
    // The dashboard's CSP forbids inline scripts; evaluate bypasses it.
    await page.evaluate(source)
  }
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] })
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))
  })
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.targets.join(', ')})`)
}
