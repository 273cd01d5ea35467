// Loaded into the server under test by bench/server-memory.ts (NODE_OPTIONS=--import), never by the
// product: on SIGUSR2 it collects garbage (when started with --expose-gc) and writes the process's
// memory figures as JSON to $VECHE_MEMORY_PROBE, so the bench can read the V8 heap of another process.
import { renameSync, writeFileSync } from 'node:fs'
import v8 from 'node:v8'

export interface ProbeReport {
  /** process.memoryUsage() after the collection. */
  memory: NodeJS.MemoryUsage
  /** v8.getHeapStatistics(): malloced_memory is V8's own malloc use, outside the JS heap. */
  heap: v8.HeapInfo
  /** process.getActiveResourcesInfo() counted by kind: sockets, timers, ... still open. */
  resources: Record<string, number>
  gc: boolean
}

const out = process.env.VECHE_MEMORY_PROBE
// Only the server reads this variable; the media workers it starts are not Node.
delete process.env.VECHE_MEMORY_PROBE
const collect = (globalThis as { gc?: () => void }).gc

if (out) {
  process.on('SIGUSR2', () => {
    // Twice: the first pass runs finalizers (native handles) whose memory the second can free.
    collect?.()
    setImmediate(() => {
      collect?.()
      const resources: Record<string, number> = {}
      for (const kind of process.getActiveResourcesInfo()) resources[kind] = (resources[kind] ?? 0) + 1
      const report: ProbeReport = { memory: process.memoryUsage(), heap: v8.getHeapStatistics(), resources, gc: collect !== undefined }
      // Written whole then renamed, so the bench never reads half a file.
      writeFileSync(`${out}.tmp`, JSON.stringify(report))
      renameSync(`${out}.tmp`, out)
    })
  })
}
