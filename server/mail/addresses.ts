// E-mail addresses as invitations accept them: one plain address per recipient, nothing an SMTP
// envelope or a header could read as a second address or a new line.
import { domainToASCII } from 'node:url'

// RFC 5322 dot-atom local part; quoted local parts ("a b"@x) are legal but only ever typos here.
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
// Host names: letters, digits and inner hyphens per label; one label is fine on an intranet.
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/

/**
 * normalizeAddress returns the address with surrounding space trimmed and an international domain
 * in its ASCII (punycode) form, or null when it is not a plain e-mail address.
 */
export function normalizeAddress(input: string): string | null {
  const address = input.trim()
  if (address.length > 254 || /[\s<>()[\]\\",;:]/.test(address)) return null
  const at = address.lastIndexOf('@')
  if (at <= 0 || at === address.length - 1) return null
  const local = address.slice(0, at)
  const domain = domainToASCII(address.slice(at + 1))
  if (local.length > 64 || !LOCAL.test(local) || !domain || domain.length > 253) return null
  if (!domain.split('.').every((label) => LABEL.test(label))) return null
  return `${local}@${domain}`
}

export type RecipientsCheck =
  | { ok: true; recipients: string[] }
  | { ok: false; code: 'no_recipients' | 'invalid_recipients' | 'too_many_recipients'; message: string; invalid?: string[] }

/**
 * checkRecipients validates and deduplicates (case-insensitively) a list of addresses. It refuses
 * the whole list when one address is not valid (naming each bad one) or when more than `max` remain.
 */
export function checkRecipients(list: readonly string[], max: number): RecipientsCheck {
  const seen = new Set<string>()
  const recipients: string[] = []
  const invalid: string[] = []
  for (const entry of list) {
    if (entry.trim() === '') continue
    const address = normalizeAddress(entry)
    if (address === null) {
      invalid.push(entry.trim())
      continue
    }
    const key = address.toLowerCase()
    if (seen.has(key)) continue
    seen.add(key)
    recipients.push(address)
  }
  if (invalid.length > 0) {
    const shown = invalid.slice(0, 10).map((a) => JSON.stringify(a)).join(', ')
    const more = invalid.length > 10 ? ` and ${invalid.length - 10} more` : ''
    return {
      ok: false,
      code: 'invalid_recipients',
      message: `not valid e-mail addresses: ${shown}${more}; correct or remove them (nothing was sent)`,
      invalid,
    }
  }
  if (recipients.length === 0) return { ok: false, code: 'no_recipients', message: 'name at least one recipient' }
  if (recipients.length > max) {
    return {
      ok: false,
      code: 'too_many_recipients',
      message: `one invitation goes to at most ${max} recipients and this one has ${recipients.length}: split it, or ask the administrator to raise mail.maxRecipients (nothing was sent)`,
    }
  }
  return { ok: true, recipients }
}

/** parseMailbox reads "Name <address>" or a bare address (the mail.from setting); null when it is neither. */
export function parseMailbox(text: string): { name: string; address: string } | null {
  const angled = /^\s*(?:"([^"]*)"|([^"<>]*?))\s*<([^<>]+)>\s*$/.exec(text)
  const name = (angled?.[1] ?? angled?.[2] ?? '').trim()
  const address = normalizeAddress(angled ? angled[3]! : text)
  if (address === null || /[\r\n]/.test(name)) return null
  return { name, address }
}
