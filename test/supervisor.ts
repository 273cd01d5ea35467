// A stand-in for systemd in update tests: runs `<install>/current/bin/veche serve`, restarts it on
// SIGHUP (systemctl restart: stop, then start whatever `current` points at now) and when it dies
// (Restart=on-failure). Usage: node supervisor.ts <installDir> <configFile> <pidFile>
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

const [installDir, configFile, pidFile] = process.argv.slice(2) as [string, string, string]
let child: ChildProcess | undefined
let stopping = false

function start(): void {
  const c = spawn(join(installDir, 'current/bin/veche'), ['serve', '--config', configFile], { stdio: ['ignore', 'inherit', 'inherit'] })
  child = c
  c.once('exit', () => {
    if (child !== c) return
    child = undefined
    if (!stopping) setTimeout(() => !stopping && !child && start(), 500)
  })
}

function stopChild(): Promise<void> {
  const c = child
  if (!c || c.exitCode !== null || c.signalCode !== null) return Promise.resolve()
  child = undefined
  return new Promise((resolve) => {
    c.once('exit', () => resolve())
    c.kill('SIGTERM')
  })
}

process.on('SIGHUP', () => void stopChild().then(start))
process.on('SIGTERM', () => {
  stopping = true
  void stopChild().then(() => process.exit(0))
})
writeFileSync(pidFile, String(process.pid))
start()
