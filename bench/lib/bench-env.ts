// The processes of a benchmark run and where they run: the media workers under test on the last
// core, everything else (the generator, its C receive side, the targets' Node processes) on the
// others, so the worker's core sees only the worker. Also the run's noise verdict per sample.
import { readFileSync } from 'node:fs'
import { WANTED_RMEM_DEFAULT } from '../../cli/doctor/checks/udp-buffers.ts'
import { NullPorts, type NullMode } from './null-port.ts'
import { cores, pin, rssBytes } from './proc.ts'
import { NodeReceiveSide, type ReceiveSide } from './receive-side.ts'
import { buildSink, SinkReceiveSide } from './sink.ts'
import type { SfuTarget } from './targets/target.ts'

export const WORKER_CORE = cores - 1
export const GENERATOR_CORE = 0

/** A sample is disturbed when something else kept this much of a core busy during its window. */
export const FOREIGN_LIMIT = 0.15
/** The generator is the bottleneck, not the server, beyond this share of its core. */
export const GENERATOR_LIMIT = 0.9

export interface Receivers {
  /** For plain RTP: the C sink where it could be built, else Node. */
  plain: ReceiveSide
  /** For SRTP: the C sink built with libsrtp2 (it publishes SRTP steps too), else Node. */
  srtp: ReceiveSide
  /** For first-packet times (join latency), and SRTP where the sink has no libsrtp2: Node. */
  node: NodeReceiveSide
  /** Null ports for sampled receivers: held by the C sink, so absent without it. */
  nulls?: NullPorts
  note: string
}

/** startReceivers starts the receive sides; null ports (where the sink exists) work in `nullMode`. */
export function startReceivers(nullMode: NullMode = 'drop'): Receivers {
  const node = new NodeReceiveSide()
  const built = buildSink()
  if ('path' in built) {
    const sink = SinkReceiveSide.start(built.path)
    const note = built.srtp
      ? 'plain RTP received by the C sink (recvmmsg); SRTP sent and received by it too (libsrtp2)'
      : 'plain RTP received by the C sink (recvmmsg); SRTP in Node (no libsrtp2-dev: large SRTP steps may be generator-bound)'
    return { plain: sink, srtp: built.srtp ? sink : node, node, nulls: new NullPorts(sink, nullMode), note }
  }
  return { plain: node, srtp: node, node, note: `no C compiler (${built.error}): plain RTP and SRTP in Node; large steps may be generator-bound` }
}

/** pinTarget puts `target`'s workers on the worker core and its Node process on the generator's. */
export function pinTarget(target: SfuTarget): boolean {
  const p = target.processes()
  let ok = pin(p.control, GENERATOR_CORE)
  for (const w of p.workers) ok = pin(w, WORKER_CORE) && ok
  return ok
}

/** unpinTarget lets the scheduler place `target`'s processes (several workers on a 2-core machine). */
export function unpinTarget(target: SfuTarget): void {
  const p = target.processes()
  for (const pid of [p.control, ...p.workers]) pin(pid, -1)
}

/** pinGenerator puts this process and its receive side on the generator core (`on`), or anywhere. */
export function pinGenerator(r: Receivers, on: boolean): boolean {
  const core = on ? GENERATOR_CORE : -1
  return pin(process.pid, core) && pin(r.plain.pid, core)
}

export const idleRss = (target: SfuTarget): number => rssBytes(target.processes().control)

/**
 * stopOnSignal runs `cleanup` (stopping the servers this run started) on SIGINT or SIGTERM, then
 * exits: an interrupted run leaves no server behind.
 */
export function stopOnSignal(cleanup: () => Promise<void>): void {
  const stop = (): void => {
    process.stderr.write('interrupted: stopping the servers\n')
    const force = setTimeout(() => process.exit(130), 15_000)
    cleanup().finally(() => {
      clearTimeout(force)
      process.exit(130)
    })
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

export interface Verdict {
  disturbed: boolean
  generatorBound: boolean
}

export function verdict(s: { foreignLoad: number; generatorLoad: number }): Verdict {
  return { disturbed: s.foreignLoad > FOREIGN_LIMIT, generatorBound: s.generatorLoad > GENERATOR_LIMIT }
}

/**
 * udpBuffers reads the kernel's default UDP receive buffer: below what the installer sets, a worker
 * briefly off the CPU drops packets (most of all on the pipe between two workers), so a run here shows
 * loss an installed server would not. null: not readable (not Linux).
 */
export function udpBuffers(): { bytes: number; note: string } | null {
  let bytes: number
  try {
    bytes = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8').trim())
  } catch {
    return null
  }
  const kib = Math.round(bytes / 1024)
  const note =
    bytes >= WANTED_RMEM_DEFAULT
      ? `UDP receive buffers: net.core.rmem_default ${kib} KiB, as the installer sets`
      : `UDP receive buffers: net.core.rmem_default ${kib} KiB, BELOW the ${WANTED_RMEM_DEFAULT / 1024} KiB the installer sets: ` +
        `large rooms (the spread room most) lose packets an installed server would not; run \`sysctl -w net.core.rmem_default=${WANTED_RMEM_DEFAULT}\` first`
  return { bytes, note }
}
