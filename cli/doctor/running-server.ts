// Whether a Veche server answers on this configuration's port, asked the way `veche update` asks.
import type { Config } from '../../config/schema.ts'
import { healthUrl, probe } from '../update/health.ts'

/** runningServerVersion returns the version a healthy Veche server on server.port reports, or undefined. */
export async function runningServerVersion(config: Config): Promise<string | undefined> {
  // Port 0 means a random port each start: there is nothing to ask.
  const answer = config.server.port === 0 ? undefined : await probe(healthUrl(config))
  return answer?.status === 'ok' ? answer.version : undefined
}
