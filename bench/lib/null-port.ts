// Null ports: where the subscribers that sampled receivers do not count receive their media. A null
// port is a UDP socket on 127.0.0.1 with the smallest receive buffer the kernel allows (about two
// packets), held open by the C sink and never read: the kernel drops what arrives at the socket.
// On loopback the kernel's receive path (IP, UDP, socket lookup, and here the drop) runs in the
// sending worker's context, as it does for a counted port, so the worker pays the full cost of
// forwarding to these subscribers while the generator pays nothing for them. How many packets
// arrived is read back from each socket's drop counter, so the forwarded count stays complete.
import { readFileSync } from 'node:fs'
import type { PortOpener, ReceivePort } from './receive-side.ts'

/** A process that can hold sockets without reading them (the C sink). */
export interface NullPortHolder {
  openNull(): Promise<ReceivePort>
}

const LOOPBACK_HEX = '0100007F' // 127.0.0.1 as /proc/net/udp prints it (little-endian hex)

export class NullPorts implements PortOpener {
  readonly #holder: NullPortHolder
  readonly #open = new Set<number>()

  constructor(holder: NullPortHolder) {
    this.#holder = holder
  }

  /** open returns a new null port; SRTP does not matter, nothing is decrypted there. */
  async open(): Promise<ReceivePort> {
    const inner = await this.#holder.openNull()
    this.#open.add(inner.port)
    return {
      port: inner.port,
      streams: 0,
      close: () => {
        this.#open.delete(inner.port)
        inner.close()
      },
    }
  }

  /** count is how many null ports are open. */
  get count(): number {
    return this.#open.size
  }

  /**
   * arrived returns the packets dropped at the open null ports since each opened (the kernel's
   * per-socket drop counter, /proc/net/udp). Once a port's two-packet buffer is full every arrival
   * is a drop, so over a window the difference of two readings is what reached those ports.
   */
  arrived(): number {
    if (this.#open.size === 0) return 0
    let total = 0
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n')) {
      // "sl local rem st tx:rx tr tm retr uid timeout inode ref pointer drops"
      const f = line.trim().split(/\s+/)
      const [ip, port] = (f[1] ?? '').split(':')
      if (ip !== LOOPBACK_HEX || !this.#open.has(Number.parseInt(port ?? '', 16))) continue
      total += Number(f.at(-1))
    }
    return total
  }
}
