// Failed sign-ins: each failure on an account slows the next answer, and enough of them lock the
// account for a while. Owners are locked per address instead of everywhere, so an attacker who
// guesses at the owner's account cannot lock the owner out of the local recovery path; the owner
// (or `veche admin unlock`) still gets in from their own machine. Addresses that fail a lot are
// refused whatever account they try.
import type { SignInRecord, UserId, UsersRepository } from '../db/users-repository.ts'

export interface SignInGuardOptions {
  /** Failures in a row after which every further failure is answered more slowly. */
  slowdownAfter: number
  /** Failures in a row that lock the account (owners: lock the address for that account). */
  lockAfter: number
  lockMinutes: number
  /** Failed sign-ins one address may make within `lockMinutes` before its sign-ins are refused. */
  addressFailures: number
  now?: () => number
}

export interface SignInRefusal {
  code: 'account_locked' | 'too_many_failures'
  message: string
  retryAfterSeconds: number
}

const MAX_DELAY_MS = 8000
const MAX_TRACKED = 10_000

export class SignInGuard {
  readonly #users: UsersRepository
  readonly #options: SignInGuardOptions
  readonly #now: () => number
  /** Owner locks, by `${userId} ${address}`: until when. */
  readonly #ownerLocks = new Map<string, number>()
  readonly #ownerFailures = new Map<string, number>()
  /** Failure times per address within the window. */
  readonly #addressFailures = new Map<string, number[]>()

  constructor(users: UsersRepository, options: SignInGuardOptions) {
    this.#users = users
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  get #windowMs(): number {
    return this.#options.lockMinutes * 60_000
  }

  /** refusal says whether this attempt is refused before its password is even checked. */
  refusal(record: SignInRecord | undefined, address: string): SignInRefusal | null {
    const now = this.#now()
    const recent = this.#recentAddressFailures(address, now)
    if (recent.length >= this.#options.addressFailures) {
      return {
        code: 'too_many_failures',
        message: 'too many failed sign-ins from this address; wait and try again',
        retryAfterSeconds: seconds(recent[0]! + this.#windowMs - now),
      }
    }
    if (!record) return null
    const until = record.user.role === 'owner' ? this.#ownerLocks.get(ownerKey(record.user.id, address)) : record.lockedUntil
    if (until !== undefined && until !== null && until > now) {
      return {
        code: 'account_locked',
        message: `too many failed sign-ins: this account is locked for ${Math.ceil((until - now) / 60_000)} min; an administrator can unlock it sooner`,
        retryAfterSeconds: seconds(until - now),
      }
    }
    return null
  }

  /** failed counts a failure and returns how long to hold the answer (ms). */
  async failed(record: SignInRecord | undefined, address: string): Promise<number> {
    const now = this.#now()
    const recent = this.#recentAddressFailures(address, now)
    recent.push(now)
    this.#addressFailures.set(address, recent)
    if (this.#addressFailures.size > MAX_TRACKED) this.#sweep(now)
    if (!record) return 0
    const id = record.user.id
    if (record.user.role === 'owner') {
      const key = ownerKey(id, address)
      const n = (this.#ownerFailures.get(key) ?? 0) + 1
      this.#ownerFailures.set(key, n)
      if (n >= this.#options.lockAfter) {
        this.#ownerLocks.set(key, now + this.#windowMs)
        this.#ownerFailures.delete(key)
      }
      return this.#delayFor(n)
    }
    const n = record.failedSignIns + 1
    if (n >= this.#options.lockAfter) {
      // The count starts over once the lock has passed.
      await this.#users.lockAfterFailures(id, now + this.#windowMs)
    } else {
      await this.#users.recordFailedSignIn(id, null)
    }
    return this.#delayFor(n)
  }

  /** succeeded resets the account's failures (an address's failures age out by themselves). */
  async succeeded(id: UserId, address: string): Promise<void> {
    await this.#users.clearFailedSignIns(id)
    this.#ownerFailures.delete(ownerKey(id, address))
    this.#ownerLocks.delete(ownerKey(id, address))
  }

  #delayFor(failures: number): number {
    const over = failures - this.#options.slowdownAfter
    return over < 0 ? 0 : Math.min(MAX_DELAY_MS, 250 * 2 ** over)
  }

  /** #sweep forgets what has aged out, so guessing from many addresses cannot grow memory for ever. */
  #sweep(now: number): void {
    for (const address of this.#addressFailures.keys()) this.#recentAddressFailures(address, now)
    for (const [key, until] of this.#ownerLocks) if (until <= now) this.#ownerLocks.delete(key)
    if (this.#ownerFailures.size > MAX_TRACKED) this.#ownerFailures.clear()
  }

  #recentAddressFailures(address: string, now: number): number[] {
    const recent = (this.#addressFailures.get(address) ?? []).filter((at) => at > now - this.#windowMs)
    if (recent.length === 0) this.#addressFailures.delete(address)
    else this.#addressFailures.set(address, recent)
    return recent
  }
}

const ownerKey = (id: UserId, address: string): string => `${id} ${address}`
const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000))
