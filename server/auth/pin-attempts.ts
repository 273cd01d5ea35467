// Limits wrong PIN guesses per meeting, so a 4-digit PIN cannot be found by trying them all: after
// MAX_FAILURES wrong PINs within WINDOW_MS, the meeting refuses PINs until the window has passed.
export const MAX_FAILURES = 10
export const WINDOW_MS = 10 * 60 * 1000

export class PinAttempts {
  readonly #failures = new Map<string, number[]>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  #recent(roomId: string): number[] {
    const since = this.#now() - WINDOW_MS
    const kept = (this.#failures.get(roomId) ?? []).filter((t) => t > since)
    if (kept.length) this.#failures.set(roomId, kept)
    else this.#failures.delete(roomId)
    return kept
  }

  /** blockedForMs returns how long PINs for `roomId` stay refused (0: not blocked). */
  blockedForMs(roomId: string): number {
    const recent = this.#recent(roomId)
    if (recent.length < MAX_FAILURES) return 0
    return recent[recent.length - MAX_FAILURES]! + WINDOW_MS - this.#now()
  }

  fail(roomId: string): void {
    this.#failures.set(roomId, [...this.#recent(roomId), this.#now()])
  }
}
