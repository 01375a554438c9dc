import { describe, expect, it, vi } from 'vitest'
import { memoryStorage, refreshTokenKey, TokenStore } from './tokens'

const pair = { access_token: 'a1', refresh_token: 'r1' }

describe('TokenStore', () => {
  it('keeps the access token in memory and the refresh token in storage', () => {
    const storage = memoryStorage()
    const tokens = new TokenStore(storage)
    tokens.set(pair)
    expect(tokens.accessToken()).toBe('a1')
    expect(storage.getItem(refreshTokenKey)).toBe('r1')
    // A new page load (new store, same storage) has the session but no access token.
    const reloaded = new TokenStore(storage)
    expect(reloaded.hasSession()).toBe(true)
    expect(reloaded.accessToken()).toBeNull()
  })

  it('tells listeners when a session starts and ends, not on rotation', () => {
    const tokens = new TokenStore(memoryStorage())
    const fn = vi.fn()
    tokens.subscribe(fn)
    tokens.set(pair)
    tokens.set({ access_token: 'a2', refresh_token: 'r2' })
    expect(fn).toHaveBeenCalledTimes(1)
    tokens.clear()
    expect(fn).toHaveBeenCalledTimes(2)
    tokens.clear()
    expect(fn).toHaveBeenCalledTimes(2)
  })

  it('remembers why the session ended until the next sign-in', () => {
    const tokens = new TokenStore(memoryStorage())
    expect(tokens.endReason()).toBeNull()
    tokens.set(pair)
    tokens.clear('expired')
    expect(tokens.endReason()).toBe('expired')
    tokens.set(pair)
    expect(tokens.endReason()).toBeNull()
    tokens.clear()
    expect(tokens.endReason()).toBe('signed-out')
  })

  it('treats removal by another tab as signing out', () => {
    const storage = memoryStorage()
    const tokens = new TokenStore(storage)
    tokens.set(pair)
    const fn = vi.fn()
    tokens.subscribe(fn)
    storage.removeItem(refreshTokenKey)
    tokens.notifyExternalChange()
    expect(tokens.hasSession()).toBe(false)
    expect(tokens.accessToken()).toBeNull()
    expect(tokens.endReason()).toBe('signed-out')
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('works when storage refuses writes', () => {
    const broken = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError')
      },
      removeItem: () => {},
    }
    const tokens = new TokenStore(broken)
    expect(() => tokens.set(pair)).not.toThrow()
    expect(tokens.accessToken()).toBe('a1')
  })
})
