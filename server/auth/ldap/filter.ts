// Puts untrusted text (what a user typed, a DN the directory returned) into LDAP search filters.
// RFC 4515: a value may hold any UTF-8 except NUL, '(', ')', '*' and '\', which must be written as
// '\' and two hex digits. Escaping is what keeps a login like `*)(uid=*` from rewriting the filter.

/**
 * escapeFilterValue returns `value` safe to put between `=` and `)` of a filter: `*`, `(`, `)`, `\`,
 * NUL and the other ASCII control characters become `\xx`. Other characters, non-ASCII included, stay
 * as they are: RFC 4515 allows UTF-8 literally, and a parser that reads `\xx` one byte per character
 * (ldapts does) would garble a multi-byte character escaped byte by byte.
 */
export function escapeFilterValue(value: string): string {
  let out = ''
  for (const ch of value) {
    const code = ch.codePointAt(0)!
    const special = ch === '*' || ch === '(' || ch === ')' || ch === '\\' || code < 0x20 || code === 0x7f
    out += special ? `\\${code.toString(16).padStart(2, '0')}` : ch
  }
  return out
}

/** The placeholders a configured filter may hold. */
export interface FilterValues {
  login?: string
  dn?: string
}

/**
 * fillFilter replaces `{login}` and `{dn}` in a configured filter with their escaped values, in one
 * pass, so a value that itself contains `{dn}` is never expanded again. A placeholder without a value
 * becomes the empty string.
 */
export function fillFilter(template: string, values: FilterValues): string {
  return template.replace(/\{(login|dn)\}/g, (_, name: 'login' | 'dn') => escapeFilterValue(values[name] ?? ''))
}
