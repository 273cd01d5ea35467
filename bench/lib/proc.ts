// Reads what the kernel knows about the processes under test and the whole machine: CPU time (ns,
// from schedstat, summed over threads), resident memory, machine-wide busy time per core, UDP
// receive-buffer drops; and pins processes to cores with taskset.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

/** cpuNs returns the CPU time `pid` has used, all threads, in nanoseconds (0 if it is gone). */
export function cpuNs(pid: number): number {
  let total = 0
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return 0
  }
  for (const tid of tasks) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return total
}

/** rssBytes returns the resident set of `pid` (0 if it is gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) * 1024 : 0
  } catch {
    return 0
  }
}

export interface MachineTimes {
  /** Busy nanoseconds per core (everything but idle and iowait), since boot. */
  busyNs: number[]
}

const TICK_NS = 1e9 / 100 // USER_HZ is 100 on Linux

export function machineTimes(): MachineTimes {
  const busyNs: number[] = []
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line)
    if (!m) continue
    const f = m[2]!.split(/\s+/).map(Number)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0)
    busyNs[Number(m[1])] = (total - f[3]! - f[4]!) * TICK_NS
  }
  return { busyNs }
}

/** udpReceiveErrors returns the machine's count of UDP datagrams dropped for a full socket buffer. */
export function udpReceiveErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'))
  if (lines.length < 2) return 0
  const names = lines[0]!.split(/\s+/)
  const values = lines[1]!.split(/\s+/)
  return Number(values[names.indexOf('RcvbufErrors')] ?? 0)
}

/** childrenOf returns the pids whose parent is `pid` and whose command name matches `name`. */
export function childrenOf(pid: number, name?: RegExp): number[] {
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      const comm = stat.slice(stat.indexOf('(') + 1, close)
      const ppid = Number(stat.slice(close + 2).split(' ')[1])
      if (ppid === pid && (!name || name.test(comm))) out.push(Number(entry))
    } catch {
      // Gone meanwhile.
    }
  }
  return out
}

export const cores = availableParallelism()

/**
 * softirqThreads returns the pids of the kernel's per-core softirq threads (ksoftirqd/N). When a
 * core has more packet processing pending than the kernel does on the way out of a system call,
 * the rest runs there: on loopback, delivery of what a worker sent, not charged to the worker.
 */
export const softirqThreads = (): number[] => childrenOf(2, /^ksoftirqd\//)

/**
 * pin binds every thread of `pid` to `core` (-1: any core); returns false where that is impossible
 * (one core, no taskset).
 */
export function pin(pid: number, core: number): boolean {
  if (cores < 2) return false
  try {
    const list = core < 0 ? `0-${cores - 1}` : String(core % cores)
    execFileSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
