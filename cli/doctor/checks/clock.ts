// The system clock has not been turned back past what this server already saw (the license
// suspends meetings when it has), and NTP keeps it right where systemd can tell.
import { spawnSync } from 'node:child_process'
import { createDb } from '../../../server/db/engine.ts'
import { createLicenseRepository } from '../../../server/db/license-repository.ts'
import { CLOCK_LEEWAY_SECONDS } from '../../../license-keys/verify.ts'
import type { Check } from '../check.ts'
import { readableDatabase } from '../database-file.ts'

const time = (unix: number): string => new Date(unix * 1000).toISOString().replace('.000Z', 'Z')

/** ntpSynchronized returns systemd's answer, or undefined where timedatectl is missing or cannot answer (containers). */
function ntpSynchronized(): boolean | undefined {
  const r = spawnSync('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { encoding: 'utf8', timeout: 3000 })
  if (r.status !== 0) return undefined
  const value = r.stdout.trim()
  return value === 'yes' ? true : value === 'no' ? false : undefined
}

async function lastSeen(db: ReturnType<typeof readableDatabase>): Promise<number | undefined> {
  if (!db) return undefined
  try {
    return await createLicenseRepository(createDb({ url: '', password: '', passwordFile: '' }, db)).lastSeen()
  } finally {
    db.close()
  }
}

export const clockCheck: Check = {
  name: 'clock',
  title: 'System clock',
  async run(ctx) {
    const now = Math.floor(ctx.now() / 1000)
    const seen = await lastSeen(readableDatabase(ctx.config()))
    // The same leeway the license evaluation allows, so doctor and the server agree.
    if (seen !== undefined && now < seen - CLOCK_LEEWAY_SECONDS) {
      return {
        status: 'error',
        message: `the clock reads ${time(now)}, but this server already saw ${time(seen)}: it was turned back and meetings are suspended; set the correct time: \`timedatectl set-ntp true\``,
      }
    }
    const base = `${time(now)}${seen === undefined ? '' : `, not before the last recorded ${time(seen)}`}`
    const ntp = ntpSynchronized()
    if (ntp === false) return { status: 'warning', message: `${base}; NTP is not synchronized: \`timedatectl set-ntp true\`` }
    return { status: 'ok', message: `${base}; NTP ${ntp ? 'synchronized' : 'not checked (timedatectl cannot tell here)'}` }
  },
}
