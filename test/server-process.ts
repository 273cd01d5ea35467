// Starts the real `bin/veche serve` as a child process, the way an admin runs it, and stops it
// when the test ends. Its JSON log lines are kept for assertions and failure reports.
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const VECHE = `${ROOT}bin/veche`

interface TestContext {
  teardown(fn: () => unknown): void
  comment(...args: unknown[]): void
  passing(): boolean
}

export interface ServerProcess {
  url: string
  process: ChildProcess
  logs: Record<string, unknown>[]
  /** stop sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>
}

/** startServer runs `veche serve` with `set` config overrides and extra `flags` (e.g. --dev). */
export function startServer(t: TestContext, dataDir: string, set: string[] = [], flags: string[] = []): Promise<ServerProcess> {
  const child = spawn(
    VECHE,
    [
      'serve',
      ...flags,
      '--set', `data.dir=${dataDir}`,
      '--set', 'server.host=127.0.0.1',
      '--set', 'server.port=0',
      '--set', 'media.listenIp=127.0.0.1',
      '--set', 'media.announcedAddress=127.0.0.1',
      '--set', 'media.port=0',
      ...set.flatMap((s) => ['--set', s]),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VECHE_CONFIG: undefined } },
  )
  const logs: Record<string, unknown>[] = []
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += String(d)))
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    return exited
  }
  t.teardown(async () => {
    await stop()
    if (!t.passing()) t.comment(`server stderr:\n${stderr}\nlast logs:\n${logs.slice(-30).map((l) => JSON.stringify(l)).join('\n')}`)
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s; stderr: ${stderr}`)), 30_000)
    exited.then((code) => reject(new Error(`server exited with ${code} before serving; stderr: ${stderr}`)))
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>
      try {
        entry = JSON.parse(line) as Record<string, unknown>
      } catch {
        return
      }
      logs.push(entry)
      if (entry.msg === 'veche is serving') {
        clearTimeout(timer)
        const port = new URL(entry.url as string).port
        resolve({ url: `https://127.0.0.1:${port}`, process: child, logs, stop })
      }
    })
  })
}
