// The time zone this machine's times are shown in (logs, recording lists). Informational, except
// for a TZ variable that names no zone.
import { existsSync, readFileSync, readlinkSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import type { Check } from '../check.ts'

const ZONEINFO = '/usr/share/zoneinfo'

/** systemZoneSource says where the zone comes from when TZ is not set. */
function systemZoneSource(): string {
  try {
    const zone = readFileSync('/etc/timezone', 'utf8').trim()
    if (zone) return `/etc/timezone: ${zone}`
  } catch {
    // Not every distribution writes it.
  }
  try {
    return `/etc/localtime -> ${readlinkSync('/etc/localtime')}`
  } catch {
    return 'no /etc/localtime: UTC'
  }
}

/** tzProblem returns why TZ names no zone, or undefined when it does. */
function tzProblem(tz: string): string | undefined {
  if (tz.startsWith(':')) {
    // glibc's ":file" form: a zoneinfo file, absolute or under the zoneinfo folder.
    const file = tz.slice(1)
    return existsSync(isAbsolute(file) ? file : join(ZONEINFO, file)) ? undefined : `no zone file ${file}`
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return undefined
  } catch {
    return 'not a time zone name'
  }
}

function utcOffset(now: number): string {
  const minutes = -new Date(now).getTimezoneOffset()
  const abs = Math.abs(minutes)
  return `UTC${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

export const timezoneCheck: Check = {
  name: 'timezone',
  title: 'Time zone',
  async run(ctx) {
    const tz = process.env.TZ
    const offset = utcOffset(ctx.now())
    if (tz) {
      const problem = tzProblem(tz)
      if (problem) {
        return { status: 'warning', message: `TZ=${tz} is ${problem}, so times show as ${offset}: unset TZ or set a name such as Europe/Moscow (\`timedatectl list-timezones\`)` }
      }
      return { status: 'ok', message: `${tz} (${offset}, from the TZ variable)` }
    }
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    return { status: 'ok', message: `${zone} (${offset}, ${systemZoneSource()})` }
  },
}
