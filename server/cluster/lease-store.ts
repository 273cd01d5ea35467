// Owns the meeting leases in Redis: which node holds a meeting, under which fencing token, until when.
// Every change is one Lua script, so "is it free? then take it" cannot interleave with another node.
//
// Fencing tokens come from one counter (keys.fence) and only grow, also across a Redis restart that
// lost every key (test and single-Redis setups keep nothing on disk): a new token is at least Redis's
// clock in milliseconds, so after a restart tokens continue above those handed out before it. A
// holder's token is compared for equality before each admission (lease-keeper.ts); anything else that
// acts for a meeting can compare "mine >= current" the same way.
import { ClusterError } from './errors.ts'
import { keys } from './keys.ts'
import { luaScript, type RedisLink } from './redis-link.ts'

export interface Lease {
  meetingId: string
  node: string
  token: number
  /** When the lease was first taken: unix ms on Redis's clock. */
  since: number
  /** Time to live left, ms. */
  ttlMs: number
}

/**
 * ACQUIRE: KEYS lease, fence; ARGV node, ttlMs, node key prefix ('' never takes a lease from a live
 * lease's holder). Returns {taken 0|1, holder, token, since, pttl}. The holder asking again keeps
 * its token and gets a fresh ttl; a lease whose holder stopped announcing (its node key is gone)
 * is taken over when a prefix is given, with a new token.
 */
const ACQUIRE = luaScript(`
local h = redis.call('HMGET', KEYS[1], 'node', 'token', 'since')
if h[1] then
  local gone = ARGV[3] ~= '' and redis.call('EXISTS', ARGV[3] .. h[1]) == 0
  if h[1] == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, h[1], tonumber(h[2]), tonumber(h[3]), tonumber(ARGV[2])}
  end
  if not gone then
    return {0, h[1], tonumber(h[2]), tonumber(h[3]), redis.call('PTTL', KEYS[1])}
  end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local token = redis.call('INCR', KEYS[2])
if token < now then
  token = now
  redis.call('SET', KEYS[2], string.format('%d', token))
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'token', string.format('%d', token), 'since', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, ARGV[1], token, now, tonumber(ARGV[2])}`)

/** RENEW: KEYS lease; ARGV node, token, ttlMs. 1 when the node still holds the lease under that token (ttl refreshed), else 0. */
const RENEW = luaScript(`
local h = redis.call('HMGET', KEYS[1], 'node', 'token')
if h[1] == ARGV[1] and h[2] == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0`)

/** RELEASE: KEYS lease; ARGV node, token. Deletes the lease only if it is still that node's under that token. */
const RELEASE = luaScript(`
local h = redis.call('HMGET', KEYS[1], 'node', 'token')
if h[1] == ARGV[1] and h[2] == ARGV[2] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`)

/** READ: KEYS lease. {holder, token, since, pttl} read at one instant, or an empty list. */
const READ = luaScript(`
local h = redis.call('HMGET', KEYS[1], 'node', 'token', 'since')
if not h[1] then return {} end
return {h[1], tonumber(h[2]), tonumber(h[3]), redis.call('PTTL', KEYS[1])}`)

export interface AcquireResult {
  taken: boolean
  lease: Lease
}

export interface LeaseStore {
  /**
   * acquire takes the meeting's lease for `node` (or refreshes it if `node` already holds it).
   * With takeOverSilent, a lease whose holder no longer announces itself is taken over.
   * Returns taken=false and the current lease when another node holds it. Throws ClusterError('redis_unavailable').
   */
  acquire(meetingId: string, node: string, ttlMs: number, options?: { takeOverSilent?: boolean }): Promise<AcquireResult>
  /** renew extends the lease if `node` holds it under `token`; false when it does not. Throws ClusterError('redis_unavailable'). */
  renew(meetingId: string, node: string, token: number, ttlMs: number): Promise<boolean>
  /** release gives the lease up if `node` holds it under `token`; false when it did not. Throws ClusterError('redis_unavailable'). */
  release(meetingId: string, node: string, token: number): Promise<boolean>
  /** read returns the meeting's current lease, or undefined. Throws ClusterError('redis_unavailable'). */
  read(meetingId: string): Promise<Lease | undefined>
  /** list returns every current lease (SCAN: for status pages, not for hot paths). Throws ClusterError('redis_unavailable'). */
  list(): Promise<Lease[]>
}

type AcquireReply = [number, string, number, number, number]
type ReadReply = [] | [string, number, number, number]

const toLease = (meetingId: string, r: ReadReply): Lease | undefined =>
  r.length === 0 ? undefined : { meetingId, node: r[0], token: r[1], since: r[2], ttlMs: r[3] }

/** createLeaseStore returns the leases kept in the Redis behind `link`. */
export function createLeaseStore(link: RedisLink): LeaseStore {
  const read = async (meetingId: string): Promise<Lease | undefined> => toLease(meetingId, await link.eval<ReadReply>(READ, [keys.lease(meetingId)], []))
  return {
    async acquire(meetingId, node, ttlMs, options = {}) {
      const prefix = options.takeOverSilent ? keys.node('') : ''
      const [taken, holder, token, since, ttl] = await link.eval<AcquireReply>(ACQUIRE, [keys.lease(meetingId), keys.fence], [node, ttlMs, prefix])
      return { taken: taken === 1, lease: { meetingId, node: holder, token, since, ttlMs: ttl } }
    },
    async renew(meetingId, node, token, ttlMs) {
      return (await link.eval<number>(RENEW, [keys.lease(meetingId)], [node, token, ttlMs])) === 1
    },
    async release(meetingId, node, token) {
      return (await link.eval<number>(RELEASE, [keys.lease(meetingId)], [node, token])) === 1
    },
    read,
    async list() {
      const found: string[] = []
      let cursor = '0'
      do {
        const [next, batch] = await link.command<[string, string[]]>(['SCAN', cursor, 'MATCH', keys.leasePattern, 'COUNT', '200'])
        found.push(...batch)
        cursor = next
      } while (cursor !== '0')
      const leases = await Promise.all([...new Set(found)].map((key) => read(key.slice(keys.leasePrefix.length))))
      return leases.filter((l): l is Lease => l !== undefined).sort((a, b) => a.meetingId.localeCompare(b.meetingId))
    },
  }
}

/** heldElsewhere is the error for a meeting another node holds; its message names that node. */
export const heldElsewhere = (lease: Lease): ClusterError =>
  new ClusterError('lease_held_elsewhere', `meeting ${lease.meetingId} is held by node ${lease.node} (token ${lease.token})`)
