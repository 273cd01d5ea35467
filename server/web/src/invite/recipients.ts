// Reads the recipients field the way people fill it: pasted lists with commas, semicolons or new
// lines, "Name <address>" entries from a mail client. The server makes the final check.

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
const LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u

/** splitRecipients returns the entries of the field: one per address, a mail client's name dropped. */
export function splitRecipients(text: string): string[] {
  const entries: string[] = []
  for (const chunk of text.split(/[,;\r\n]+/)) {
    const angled = [...chunk.matchAll(/<([^<>]*)>/g)].map((m) => m[1]!.trim())
    if (angled.length > 0) entries.push(...angled)
    else entries.push(...chunk.split(/\s+/))
  }
  return entries.map((e) => e.trim()).filter((e) => e.length > 0)
}

/** looksLikeAddress mirrors the server's rule: a plain dot-atom address with a host name. */
export function looksLikeAddress(entry: string): boolean {
  const at = entry.lastIndexOf('@')
  if (at <= 0 || entry.length > 254) return false
  const local = entry.slice(0, at)
  const labels = entry.slice(at + 1).split('.')
  return local.length <= 64 && LOCAL.test(local) && labels.every((label) => LABEL.test(label))
}

export interface RecipientList {
  /** Distinct valid addresses (case-insensitively), in the order typed. */
  valid: string[]
  invalid: string[]
}

/** readRecipients splits the field and sorts its entries into valid (deduplicated) and invalid. */
export function readRecipients(text: string): RecipientList {
  const seen = new Set<string>()
  const list: RecipientList = { valid: [], invalid: [] }
  for (const entry of splitRecipients(text)) {
    if (!looksLikeAddress(entry)) list.invalid.push(entry)
    else if (!seen.has(entry.toLowerCase())) {
      seen.add(entry.toLowerCase())
      list.valid.push(entry)
    }
  }
  return list
}
