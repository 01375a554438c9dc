// Where the session's tokens live.
//
// The access token (short-lived, sent on every call) is kept in memory only,
// so it is gone when the tab closes and never written anywhere script-readable
// for long. The refresh token is kept in localStorage so a session survives a
// reload and is shared by tabs; the server rotates it on each use and revokes
// the whole family when an old one is replayed, and the page's content
// security policy forbids third-party and inline scripts, which is what would
// otherwise read it. An HttpOnly cookie would hide it from scripts altogether,
// but needs CSRF protection on the refresh endpoint: a later step.

export interface TokenPair {
  access_token: string
  refresh_token: string
}

export const refreshTokenKey = 'omnify.refresh_token'

/** Why the last session ended: the user signed out (here or in another tab), or the server refused to refresh it. */
export type EndReason = 'signed-out' | 'expired'

type Listener = () => void

/** The part of the Web Storage API the store uses. */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

/** Holds the access token in memory and the refresh token in a Storage. */
export class TokenStore {
  private access: string | null = null
  private ended: EndReason | null = null
  private readonly listeners = new Set<Listener>()
  private readonly storage: KeyValueStorage

  constructor(storage: KeyValueStorage = safeLocalStorage() ?? memoryStorage()) {
    this.storage = storage
  }

  accessToken(): string | null {
    return this.access
  }

  /** Read on every call, so a token rotated by another tab is picked up. */
  refreshToken(): string | null {
    try {
      return this.storage.getItem(refreshTokenKey) ?? null
    } catch {
      return null
    }
  }

  hasSession(): boolean {
    return this.refreshToken() !== null
  }

  /** Why the previous session ended, or null if none ended since this page loaded or since the last sign-in. */
  endReason(): EndReason | null {
    return this.ended
  }

  set(pair: TokenPair): void {
    const hadSession = this.hasSession()
    this.ended = null
    this.access = pair.access_token
    this.write(pair.refresh_token)
    if (!hadSession) this.emit()
  }

  clear(reason: EndReason = 'signed-out'): void {
    const hadSession = this.hasSession() || this.access !== null
    if (hadSession) this.ended = reason
    this.access = null
    this.write(null)
    if (hadSession) this.emit()
  }

  /** Drops the in-memory access token, e.g. after another tab rotated the pair. */
  forgetAccess(): void {
    this.access = null
  }

  /** Calls fn when a session starts or ends; returns the unsubscribe function. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** Tells listeners that storage changed outside this tab (the `storage` event). */
  notifyExternalChange(): void {
    if (!this.hasSession() && this.access !== null) {
      this.access = null
      this.ended = 'signed-out'
    }
    this.emit()
  }

  private write(refresh: string | null): void {
    try {
      if (refresh === null) this.storage.removeItem(refreshTokenKey)
      else this.storage.setItem(refreshTokenKey, refresh)
    } catch {
      // Storage full or disabled: the session ends with this page.
    }
  }

  private emit(): void {
    for (const fn of this.listeners) fn()
  }
}

function safeLocalStorage(): KeyValueStorage | undefined {
  try {
    return globalThis.localStorage ?? undefined
  } catch {
    // Reading localStorage throws where the browser blocks site data.
    return undefined
  }
}

/** A Storage that forgets on reload, for browsers that refuse localStorage. */
export function memoryStorage(): KeyValueStorage {
  const m = new Map<string, string>()
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  }
}
