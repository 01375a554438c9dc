// Starts a built omnify binary on a free loopback port with a throwaway data
// dir, for browser tests. The binary is given by OMNIFY_E2E_BIN.

import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** Asks the kernel for a free port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

/**
 * Runs `bin serve` and resolves once GET /health answers 200; `env` adds
 * variables (vendor base URLs, say). The returned stop() always kills the
 * process and removes its data dir.
 */
export async function startServer(bin, { timeoutMs = 30_000, env = {} } = {}) {
  const port = await freePort()
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'omnify-e2e-'))
  const baseUrl = `http://127.0.0.1:${port}`
  let log = ''
  const child = spawn(bin, ['serve'], {
    env: { ...process.env, ...env, OMNIFY_ADDR: `127.0.0.1:${port}`, OMNIFY_DATA_DIR: dataDir, OMNIFY_LOG_FORMAT: 'text' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const keep = (chunk) => {
    log = (log + chunk).slice(-20_000)
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)

  const stop = async () => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(timer)
    }
    await rm(dataDir, { recursive: true, force: true })
  }

  try {
    await waitForHealth(baseUrl, exited, timeoutMs)
  } catch (err) {
    await stop()
    throw new Error(`${err.message}\n--- server output ---\n${log}`)
  }
  return { baseUrl, stop, log: () => log }
}

async function waitForHealth(baseUrl, exited, timeoutMs) {
  let done = null
  exited.then((e) => {
    done = e
  })
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (done) throw new Error(`omnify serve exited early (code ${done.code}, signal ${done.signal})`)
    try {
      const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1_000) })
      if (res.ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`omnify serve did not answer ${baseUrl}/health within ${timeoutMs} ms`)
}
