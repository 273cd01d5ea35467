// One clock for every publisher of the generator: a tick every few milliseconds sends whatever is
// due, as a browser's pacer does per frame.
import { performance } from 'node:perf_hooks'
import type { Publisher } from './publisher.ts'

const TICK_MS = 4

export class Pacer {
  readonly #publishers = new Set<Publisher>()
  #timer: NodeJS.Timeout | undefined

  add(p: Publisher): void {
    this.#publishers.add(p)
    this.#timer ??= setInterval(() => this.#tick(), TICK_MS)
  }

  remove(p: Publisher): void {
    this.#publishers.delete(p)
    if (this.#publishers.size === 0 && this.#timer) {
      clearInterval(this.#timer)
      this.#timer = undefined
    }
  }

  #tick(): void {
    const now = performance.now()
    for (const p of this.#publishers) p.tick(now)
  }
}
