// How the history pages show times, durations, counts and days, in the browser's language.
import { currentLang, formatDate, formatTime, t } from '../i18n/index.ts'

/** durationText: "1 h 05 min", "12 min", or "under a minute". */
export function durationText(ms: number): string {
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 1) return t('history.duration.short')
  if (minutes < 60) return t('history.duration.m', { m: minutes })
  return t('history.duration.hm', { h: Math.floor(minutes / 60), m: String(minutes % 60).padStart(2, '0') })
}

/** dateTimeText: "22 Nov 2026 14:05" in the browser's time zone. */
export const dateTimeText = (ms: number): string => `${formatDate(ms)} ${formatTime(ms)}`

const sameLocalDay = (a: number, b: number): boolean => new Date(a).toDateString() === new Date(b).toDateString()

/** timeSince: the time alone when it falls on the day of `reference`, otherwise with its date. */
export const timeSince = (ms: number, reference: number): string => (sameLocalDay(ms, reference) ? formatTime(ms) : dateTimeText(ms))

/** numberText: 12 345 / 12,345. */
export const numberText = (n: number, fractionDigits = 0): string =>
  new Intl.NumberFormat(currentLang(), { maximumFractionDigits: fractionDigits }).format(n)

/** utcDayText: a 'YYYY-MM-DD' UTC day as "Mon, 9 Mar" (or with the year when `year`). */
export function utcDayText(day: string, year = false): string {
  return new Intl.DateTimeFormat(currentLang(), {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(year ? { year: 'numeric' } : {}),
    timeZone: 'UTC',
  }).format(Date.parse(`${day}T00:00:00Z`))
}

/** inputDate: a local Date as the value of <input type=date> ('YYYY-MM-DD'). */
export function inputDate(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}

/** daysAgo: the local date `days` before today, as an input value. */
export function daysAgo(days: number): string {
  const d = new Date()
  d.setDate(d.getDate() - days)
  return inputDate(d)
}

/** localDayStart: the instant a local 'YYYY-MM-DD' begins, as ISO 8601 UTC (what the API takes). */
export function localDayStart(value: string, plusDays = 0): string {
  const [y, m, d] = value.split('-').map(Number)
  return new Date(y!, m! - 1, d! + plusDays).toISOString()
}

export const isInputDate = (value: string | null): value is string => value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value)
