// The kernel's default UDP receive buffer: too small, and a media worker that is briefly off the CPU
// loses packets for everyone (bench/README.md, "room beyond one worker").
import { readFileSync } from 'node:fs'
import type { Check } from '../check.ts'

/** What the installer's /etc/sysctl.d/60-veche.conf sets. */
export const WANTED_RMEM_DEFAULT = 4 * 1024 * 1024

export const udpBuffersCheck: Check = {
  name: 'udp-buffers',
  title: 'UDP receive buffers',
  async run(ctx) {
    let current: number
    try {
      current = Number(readFileSync(ctx.procSysPath('net/core/rmem_default'), 'utf8').trim())
    } catch {
      return { status: 'ok', message: 'cannot read net.core.rmem_default here (not Linux, or hidden in a container); nothing to check' }
    }
    const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`
    if (current >= WANTED_RMEM_DEFAULT) return { status: 'ok', message: `net.core.rmem_default = ${kib(current)}` }
    return {
      status: 'warning',
      message:
        `net.core.rmem_default is ${kib(current)}: busy meetings may lose media while a worker waits for the CPU; ` +
        `run \`sysctl -w net.core.rmem_default=${WANTED_RMEM_DEFAULT}\` and keep it in /etc/sysctl.d/60-veche.conf ` +
        `(the installer writes that file; in Docker: docker run --sysctl net.core.rmem_default=${WANTED_RMEM_DEFAULT})`,
    }
  },
}
