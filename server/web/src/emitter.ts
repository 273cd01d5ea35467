// A minimal typed event emitter: controllers announce changes, views subscribe.

export class Emitter<Events extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof Events, Set<unknown>>()

  /** on subscribes to an event; returns the unsubscribe function. */
  on<E extends keyof Events>(event: E, listener: (...args: Events[E]) => void): () => void {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => set.delete(listener)
  }

  /** emit calls the event's listeners in subscription order. */
  protected emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      // Listeners were registered for exactly this event, so they take exactly these arguments.
      ;(listener as (...args: Events[E]) => void)(...args)
    }
  }
}
