// A real RTMP server on loopback for streaming tests: Debian's nginx with its RTMP module, in the
// foreground, one process, its files in a temp folder. Killed when the test ends.
import { freePort } from '../../kits.ts'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface TestContext {
  teardown(fn: () => unknown): void
}

export interface RtmpServer {
  /** rtmp://127.0.0.1:PORT/live: publish to `${url}/KEY`, play the same. */
  url: string
  port: number
  process: ChildProcess
  kill(): Promise<void>
}


async function listeningOn(port: number, timeoutMs: number): Promise<boolean> {
  const { connect } = await import('node:net')
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

/** startRtmpServer runs nginx-rtmp on a free loopback port (or `port`, to restart one). */
export async function startRtmpServer(t: TestContext, port?: number): Promise<RtmpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'veche-rtmp-'))
  const p = port ?? (await freePort())
  writeFileSync(
    join(dir, 'nginx.conf'),
    `load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
rtmp {
  server {
    listen 127.0.0.1:${p};
    application live { live on; record off; }
  }
}
`,
  )
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'inherit'] })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  }
  t.teardown(async () => {
    await kill()
    rmSync(dir, { recursive: true, force: true })
  })
  if (!(await listeningOn(p, 5000))) throw new Error(`nginx-rtmp did not listen on ${p}`)
  return { url: `rtmp://127.0.0.1:${p}/live`, port: p, process: child, kill }
}
