// Sign-ins in progress between the redirect to the provider and its answer, keyed by `state`. Kept in
// memory (one process serves everything): each is taken once, and is gone after ten minutes.
import { randomBytes } from 'node:crypto'

export interface PendingSignIn {
  nonce: string
  /** PKCE: the secret whose SHA-256 went to the provider as code_challenge. */
  codeVerifier: string
  /** The redirect_uri sent with the authorization request; the token request repeats it. */
  redirectUri: string
  /** Where to go after signing in (a same-site path). */
  next: string
  /** The random value of the browser's binding cookie: the answer must come back to that browser. */
  browserKey: string
}

export const PENDING_TTL_MS = 10 * 60 * 1000
/** Bounds memory against someone starting sign-ins in a loop; the oldest are dropped first. */
const MAX_PENDING = 10_000

/** randomToken returns `bytes` random bytes, base64url (unguessable state, nonce, PKCE verifier). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url')

export interface PendingSignIns {
  /** put keeps a sign-in and returns its state. */
  put(signIn: PendingSignIn): string
  /** take returns and forgets the sign-in of `state`; undefined when unknown, used or expired. */
  take(state: string): PendingSignIn | undefined
  readonly size: number
}

export function createPendingSignIns(ttlMs = PENDING_TTL_MS, now: () => number = Date.now): PendingSignIns {
  const entries = new Map<string, PendingSignIn & { expiresAt: number }>()
  const sweep = (): void => {
    // Insertion order is expiry order: stop at the first one still valid.
    for (const [state, entry] of entries) {
      if (entry.expiresAt > now() && entries.size < MAX_PENDING) break
      entries.delete(state)
    }
  }
  return {
    put(signIn) {
      sweep()
      const state = randomToken()
      entries.set(state, { ...signIn, expiresAt: now() + ttlMs })
      return state
    },
    take(state) {
      const entry = entries.get(state)
      if (!entry) return undefined
      entries.delete(state)
      if (entry.expiresAt <= now()) return undefined
      const { expiresAt: _, ...signIn } = entry
      return signIn
    },
    get size() {
      return entries.size
    },
  }
}
