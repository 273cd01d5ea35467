// Null ports: where the subscribers that sampled receivers do not count receive their media, so the
// server forwards to every subscriber while the generator reads only a few. The C sink holds them
// (bench/sink/rtp-sink.c), in one of two modes:
//   drop (default): the smallest receive buffer the kernel allows (about two packets), never read,
//          so the kernel drops what arrives at the socket and the generator spends nothing on it.
//          On loopback the kernel's receive path runs in the sending worker's context; here it
//          goes through IP, UDP and the socket lookup to the drop, but skips queueing the packet,
//          waking a reader and the reader freeing it on another core, so the worker's CPU per
//          packet comes out 15-20% lower than with counted ports (bench/README.md has the figures).
//   drain: a normal buffer, read in batches with zero-length buffers (the kernel dequeues and frees
//          each packet without copying it; nothing is parsed): the worker's side of delivery is as
//          for a counted port. It saves the generator little, so it is a control for the bias of
//          drop, not a way to spare the generator.
// Either way the sink reports how many packets reached them (drained, and dropped by the kernel's
// per-socket counter), so what the workers forwarded stays fully counted.
import type { PortOpener, ReceivePort } from './receive-side.ts'

export type NullMode = 'drop' | 'drain'

export const NULL_MODES: readonly NullMode[] = ['drop', 'drain']

/** Packets that reached null ports: read and thrown away, or dropped by the kernel at the socket. */
export interface NullArrivals {
  drained: number
  dropped: number
}

/** A process that holds null ports (the C sink). */
export interface NullPortHolder {
  openNull(mode: NullMode): Promise<ReceivePort>
  nullArrivals(): Promise<NullArrivals>
}

export class NullPorts implements PortOpener {
  readonly mode: NullMode
  readonly #holder: NullPortHolder

  constructor(holder: NullPortHolder, mode: NullMode) {
    this.#holder = holder
    this.mode = mode
  }

  /** open returns a new null port; SRTP does not matter, nothing is decrypted there. */
  open(): Promise<ReceivePort> {
    return this.#holder.openNull(this.mode)
  }

  /**
   * arrived returns the packets that reached the open null ports since each opened. Over a window
   * the difference of two readings is what the workers forwarded to them (a dropping port's two
   * queued packets aside).
   */
  arrived(): Promise<NullArrivals> {
    return this.#holder.nullArrivals()
  }
}
