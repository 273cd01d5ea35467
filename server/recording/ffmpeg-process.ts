// Owns every ffmpeg child the appliance starts: each is tracked from spawn to exit, stopped so its
// output file is closed properly, and killed if it will not stop. Nothing else spawns ffmpeg.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface FfmpegExit {
  code: number | null
  signal: NodeJS.Signals | null
  /** The last lines ffmpeg wrote to stderr: its own words for what went wrong. */
  stderr: string
  /** True when we asked it to stop (a clean stop may still exit non-zero, e.g. 255 after SIGINT). */
  requested: boolean
}

const STDERR_LINES = 40
/** After `q`, ffmpeg flushes its encoders and writes the trailer: a second or two at most. */
const SIGINT_AFTER_MS = 2_000

const running = new Set<FfmpegProcess>()

/** runningFfmpegPids lists the pids of ffmpeg processes still alive (tests assert none are left). */
export function runningFfmpegPids(): number[] {
  return [...running].map((p) => p.pid)
}

export interface FfmpegWatch {
  /** Each stderr line as it comes. */
  onStderr?: (line: string) => void
  /** Written media time, from `-progress pipe:1`: it grows once the output really takes data. */
  onProgress?: (outTimeMs: number) => void
}

/** Arguments that make ffmpeg report progress on stdout, once a second, for FfmpegWatch.onProgress. */
export const PROGRESS_ARGS = ['-progress', 'pipe:1', '-stats_period', '1']

export class FfmpegProcess {
  readonly pid: number
  readonly exited: Promise<FfmpegExit>
  readonly #child: ChildProcess
  readonly #lines: string[] = []
  #partial = ''
  #requested = false
  #watch: FfmpegWatch = {}
  #outTimeMs = 0

  private constructor(child: ChildProcess) {
    this.#child = child
    this.pid = child.pid!
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (chunk: string) => this.#take(chunk))
    // A closed stdin (ffmpeg gone) must not crash us when we write `q`.
    child.stdin!.on('error', () => undefined)
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^out_time_us=(\d+)$/.exec(line)
      if (!m) return
      this.#outTimeMs = Math.floor(Number(m[1]) / 1000)
      this.#watch.onProgress?.(this.#outTimeMs)
    })
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        running.delete(this)
        if (this.#partial) this.#push(this.#partial)
        done({ code, signal, stderr: this.#lines.join('\n'), requested: this.#requested })
      })
    })
  }

  /**
   * FfmpegProcess.start spawns `binary` with `args`. Throws if it cannot be started at all (binary
   * missing), after the 'spawn' event; other failures arrive as a non-zero exit.
   */
  static async start(binary: string, args: string[], watch: FfmpegWatch = {}): Promise<FfmpegProcess> {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', (err) => reject(new Error(`cannot start ${binary}: ${err.message} (install Debian's ffmpeg: apt-get install ffmpeg)`)))
    })
    const ffmpeg = new FfmpegProcess(child)
    ffmpeg.#watch = watch
    running.add(ffmpeg)
    return ffmpeg
  }

  get alive(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Media time written so far (ms), per the last progress report. */
  get outTimeMs(): number {
    return this.#outTimeMs
  }

  get stderrTail(): string {
    return this.#lines.join('\n')
  }

  /**
   * stop asks ffmpeg to finish (`q`, then SIGINT: both make it write the container's trailer) and
   * kills it after `killAfterMs`. Resolves with its exit.
   */
  async stop(killAfterMs = 5_000): Promise<FfmpegExit> {
    this.#requested = true
    if (!this.alive) return this.exited
    this.#child.stdin!.end('q')
    const sigint = setTimeout(() => this.alive && this.#child.kill('SIGINT'), Math.min(SIGINT_AFTER_MS, killAfterMs))
    const kill = setTimeout(() => this.alive && this.#child.kill('SIGKILL'), killAfterMs)
    const exit = await this.exited
    clearTimeout(sigint)
    clearTimeout(kill)
    return exit
  }

  /** kill ends ffmpeg at once (shutdown deadline, or a start that must be abandoned). */
  kill(): void {
    this.#requested = true
    if (this.alive) this.#child.kill('SIGKILL')
  }

  #take(chunk: string): void {
    const parts = (this.#partial + chunk).split(/\r?\n|\r/)
    this.#partial = parts.pop() ?? ''
    for (const line of parts) if (line.trim()) this.#push(line)
  }

  #push(line: string): void {
    this.#lines.push(line)
    if (this.#lines.length > STDERR_LINES) this.#lines.shift()
    this.#watch.onStderr?.(line)
  }
}
