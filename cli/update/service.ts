// Restarts, stops or starts the server the way this installation does it (systemd by default; configurable).
import { spawnSync } from 'node:child_process'
import { CliError } from '../errors.ts'

export type ServiceAction = 'restart' | 'stop' | 'start'

export function serviceAction(template: string, action: ServiceAction): void {
  const command = template.replaceAll('{action}', action)
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.status !== 0) {
    throw new CliError(`\`${command}\` failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}; check install.serviceCommand`)
  }
}
