// Waits for the server to answer its health check as a given version.
import { request } from 'node:https'
import type { Config } from '../../config/schema.ts'

export function healthUrl(config: Config): string {
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host
  return `https://${host}:${config.server.port}/healthz`
}

export function probe(url: string): Promise<{ status: string; version: string } | undefined> {
  return new Promise((resolve) => {
    // Loopback to our own server, whose certificate may come from its local CA.
    const req = request(url, { rejectUnauthorized: false, timeout: 3000 }, (res) => {
      let body = ''
      res.on('data', (c) => (body += String(c)))
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(body) as { status: string; version: string }) : undefined)
        } catch {
          resolve(undefined)
        }
      })
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(undefined))
    req.end()
  })
}

/** waitHealthy resolves true once the server answers healthy as `version`, false after the timeout. */
export async function waitHealthy(config: Config, version: string, onPoll?: (elapsedMs: number) => void): Promise<boolean> {
  const url = healthUrl(config)
  const started = Date.now()
  const deadline = started + config.install.healthTimeoutSeconds * 1000
  while (Date.now() < deadline) {
    const answer = await probe(url)
    if (answer?.status === 'ok' && answer.version === version) return true
    onPoll?.(Date.now() - started)
    await new Promise((r) => setTimeout(r, 500))
  }
  return false
}
