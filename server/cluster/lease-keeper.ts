// Owns the meeting leases THIS node holds: takes them, renews them while it serves the meetings, gives
// them up, and answers the check made before every admission.
//
// A paused node (SIGSTOP, a frozen VM, a long GC) must not admit anyone to a meeting that moved while
// it slept. Two guards, both needed:
//  - a local deadline on the monotonic clock (which runs on while the process is stopped): the lease is
//    trusted only until the time its last successful renewal was *sent* plus its ttl, less a margin.
//    After a pause longer than that, the node refuses without waiting for Redis to say so;
//  - the fencing token read back from Redis: the lease must still name this node under its token, so a
//    node whose lease was taken over (a higher token) refuses even if its local deadline is fine.
import { EventEmitter } from 'node:events'
import { ClusterError } from './errors.ts'
import { heldElsewhere, type Lease, type LeaseStore } from './lease-store.ts'

/** How long a lease lives without renewal: a dead node's meetings can be placed again after this. */
export const LEASE_TTL_MS = 6000

export interface HeldLease {
  meetingId: string
  token: number
  /** performance.now() until which the lease is trusted without asking Redis. */
  trustedUntil: number
}

export interface LeaseKeeperOptions {
  store: LeaseStore
  nodeName: string
  ttlMs?: number
  /** Renewal period; default a third of the ttl, so two renewals may fail before the lease runs out. */
  renewEveryMs?: number
  /** Monotonic milliseconds (tests may pass a clock). */
  now?: () => number
}

/** expired: not renewed in time; taken_over: Redis names another holder; refused: Redis refused the renewal (expired there or taken). */
export type LostReason = 'expired' | 'taken_over' | 'refused'

export class LeaseKeeper extends EventEmitter<{ lost: [meetingId: string, reason: LostReason] }> {
  readonly #store: LeaseStore
  readonly #node: string
  readonly #ttlMs: number
  readonly #marginMs: number
  readonly #now: () => number
  readonly #held = new Map<string, HeldLease>()
  readonly #timer: NodeJS.Timeout

  constructor(options: LeaseKeeperOptions) {
    super()
    this.#store = options.store
    this.#node = options.nodeName
    this.#ttlMs = options.ttlMs ?? LEASE_TTL_MS
    // Redis's clock and ours may run at slightly different rates; a tenth of the ttl covers that many times over.
    this.#marginMs = Math.ceil(this.#ttlMs / 10)
    this.#now = options.now ?? (() => performance.now())
    this.#timer = setInterval(() => void this.renewAll(), options.renewEveryMs ?? Math.floor(this.#ttlMs / 3))
    this.#timer.unref()
  }

  /**
   * acquire takes the meeting's lease for this node, or keeps the one it holds (also one that
   * placement took for this node), and renews it from then on. Returns the lease held.
   * Throws ClusterError: lease_held_elsewhere (naming the node), redis_unavailable.
   */
  async acquire(meetingId: string): Promise<HeldLease> {
    const sentAt = this.#now()
    const { taken, lease } = await this.#store.acquire(meetingId, this.#node, this.#ttlMs)
    if (!taken) throw heldElsewhere(lease)
    const held = { meetingId, token: lease.token, trustedUntil: sentAt + this.#ttlMs - this.#marginMs }
    this.#held.set(meetingId, held)
    return held
  }

  /**
   * admit is the check before every admission to a meeting this node serves: it returns the fencing
   * token when this node still holds the meeting's lease, else forgets the lease and throws
   * ClusterError('lease_lost'). Redis away: ClusterError('redis_unavailable') (the lease cannot be proved).
   */
  async admit(meetingId: string): Promise<number> {
    const held = this.#held.get(meetingId)
    if (!held) throw new ClusterError('lease_lost', `this node (${this.#node}) holds no lease on meeting ${meetingId}`)
    if (this.#now() > held.trustedUntil) {
      // Not renewed in time (paused, or Redis away): another node may hold the meeting already.
      this.#lose(held, 'expired')
      throw new ClusterError('lease_lost', `this node's lease on meeting ${meetingId} ran out (not renewed within ${this.#ttlMs} ms): it may be placed elsewhere now`)
    }
    const current = await this.#store.read(meetingId)
    if (this.#held.get(meetingId) !== held) throw new ClusterError('lease_lost', `this node's lease on meeting ${meetingId} was lost meanwhile`)
    if (!current || current.node !== this.#node || current.token !== held.token) {
      this.#lose(held, current ? 'taken_over' : 'expired')
      throw lostTo(meetingId, current)
    }
    return held.token
  }

  /** release gives the meeting's lease up (the meeting ended here); a lease already lost is just forgotten. Throws ClusterError('redis_unavailable'). */
  async release(meetingId: string): Promise<void> {
    const held = this.#held.get(meetingId)
    if (!held) return
    this.#held.delete(meetingId)
    await this.#store.release(meetingId, this.#node, held.token)
  }

  /** held lists the leases this node believes it holds. */
  held(): HeldLease[] {
    return [...this.#held.values()]
  }

  /** renewAll renews every held lease now (the timer calls it); a lease found lost is forgotten and reported. Never throws. */
  async renewAll(): Promise<void> {
    await Promise.all(
      [...this.#held.values()].map(async (held) => {
        const sentAt = this.#now()
        if (sentAt > held.trustedUntil) return this.#lose(held, 'expired')
        try {
          const still = await this.#store.renew(held.meetingId, this.#node, held.token, this.#ttlMs)
          if (this.#held.get(held.meetingId) !== held) return
          if (still) held.trustedUntil = sentAt + this.#ttlMs - this.#marginMs
          else this.#lose(held, 'refused')
        } catch {
          // Redis away: keep trying; the local deadline ends the lease if it stays away too long.
        }
      }),
    )
  }

  /** close stops renewing and gives every lease up at once (best effort), so the meetings can be placed elsewhere without waiting for expiry. */
  async close(): Promise<void> {
    clearInterval(this.#timer)
    const all = [...this.#held.values()]
    this.#held.clear()
    await Promise.all(all.map((h) => this.#store.release(h.meetingId, this.#node, h.token).catch(() => undefined)))
  }

  #lose(held: HeldLease, reason: LostReason): void {
    if (this.#held.get(held.meetingId) !== held) return
    this.#held.delete(held.meetingId)
    this.emit('lost', held.meetingId, reason)
  }
}

const lostTo = (meetingId: string, current: Lease | undefined): ClusterError =>
  current
    ? new ClusterError('lease_lost', `meeting ${meetingId} moved to node ${current.node} (token ${current.token}): this node no longer admits anyone to it`)
    : new ClusterError('lease_lost', `this node's lease on meeting ${meetingId} expired: it may be placed elsewhere now`)
