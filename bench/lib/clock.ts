// The generator's clock for one-way delay: CLOCK_MONOTONIC in milliseconds, the same clock the
// C receiver (bench/sink/rtp-sink.c) reads, so send and receive times compare across processes.
import { performance } from 'node:perf_hooks'

// performance.now() runs on uv_hrtime (CLOCK_MONOTONIC) from a per-process origin.
const OFFSET = Number(process.hrtime.bigint()) / 1e6 - performance.now()

export const monoMs = (): number => performance.now() + OFFSET
