// The only way user-facing text reaches the page: t(key, params) in the current language.
import { en } from './en.ts'
import { ru } from './ru.ts'

export type Lang = 'en' | 'ru'
export type MessageKey = keyof typeof en
export type MessageParams = Record<string, string | number>

const storageKey = 'veche.lang'
const dictionaries: Record<Lang, Record<MessageKey, string | Record<string, string>>> = { en, ru }
const listeners = new Set<(lang: Lang) => void>()

let lang: Lang = initialLang()
let pluralRules = new Intl.PluralRules(lang)

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(storageKey)
    if (stored === 'en' || stored === 'ru') return stored
  } catch {
    // Storage can be disabled (private modes, policies); fall back to the browser's languages.
  }
  const preferred = navigator.languages.length > 0 ? navigator.languages : [navigator.language]
  return preferred[0]?.toLowerCase().startsWith('ru') ? 'ru' : 'en'
}

/** currentLang returns the language the page is shown in. */
export function currentLang(): Lang {
  return lang
}

/** applyLang reflects the current language on <html lang> (screen readers and hyphenation use it). */
export function applyLang(): void {
  document.documentElement.lang = lang
}

/** setLang switches the language, remembers the choice, and tells listeners to re-render. */
export function setLang(next: Lang): void {
  if (next === lang) return
  lang = next
  pluralRules = new Intl.PluralRules(lang)
  try {
    localStorage.setItem(storageKey, lang)
  } catch {
    // Not remembered across visits, but the switch still works for this page.
  }
  applyLang()
  for (const listener of listeners) listener(lang)
}

/** onLangChange subscribes to language switches; returns the unsubscribe function. */
export function onLangChange(listener: (lang: Lang) => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

/** hasMessage tells whether a dynamic key (such as an error code) has a translation. */
export function hasMessage(key: string): key is MessageKey {
  return Object.hasOwn(en, key)
}

/**
 * t returns the message for key in the current language. `{name}` placeholders are replaced from
 * params; plural messages pick their form from params.count.
 */
export function t(key: MessageKey, params: MessageParams = {}): string {
  const message = dictionaries[lang][key]
  const text =
    typeof message === 'string'
      ? message
      : (message[pluralRules.select(Number(params.count ?? 0))] ?? message.other ?? '')
  return text.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    params[name] === undefined ? placeholder : String(params[name]),
  )
}

/** formatTime shows a wall-clock time such as 14:05 in the current language's style. */
export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(ms)
}

/** formatDate shows a calendar date such as "22 Nov 2026". */
export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', year: 'numeric' }).format(ms)
}
