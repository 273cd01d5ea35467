// Builds the process's pino logger: JSON lines on stdout, human-readable only when asked.
import { pino, type Logger } from 'pino'
import pretty from 'pino-pretty'
import type { Config } from '../config/schema.ts'

export function createLogger(config: Config['log']): Logger {
  const options = { level: config.level, base: { service: 'veche' } }
  return config.pretty ? pino(options, pretty({ colorize: process.stdout.isTTY, sync: true })) : pino(options)
}
