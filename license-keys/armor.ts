// Tokens as people mail them. The vendor prints each token between BEGIN/END lines, wrapped at 64
// columns (mail clients break longer lines); the appliance finds the one token in whatever was
// pasted: armored or not, wrapped, quoted with "> " by a reply, with the letter's text around it.
import type { TokenKind } from './claims.ts'
import { LicenseError } from './errors.ts'

const LABELS: Record<TokenKind, string> = {
  license: 'VECHE LICENSE',
  activation: 'VECHE ACTIVATION CERTIFICATE',
  updatePackage: 'VECHE UPDATE PACKAGE',
  release: 'VECHE RELEASE MANIFEST',
}

/** Columns per armored line: below the 76-78 where mail clients wrap, leaving room for "> > ". */
export const ARMOR_COLUMNS = 64

/** armor returns `token` between -----BEGIN/END <label>----- lines, wrapped at ARMOR_COLUMNS, ending in a newline. */
export function armor(kind: TokenKind, token: string): string {
  const lines = token.match(new RegExp(`.{1,${ARMOR_COLUMNS}}`, 'g')) ?? []
  return `-----BEGIN ${LABELS[kind]}-----\n${lines.join('\n')}\n-----END ${LABELS[kind]}-----\n`
}

const BEGIN = /^-----BEGIN VECHE [A-Z ]+-----$/
const END = /^-----END VECHE [A-Z ]+-----$/
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
const TOKEN_CHARS = /^[A-Za-z0-9_.-]+$/
/** Every token header is JSON, `{"...`, which base64url always writes as `eyJ`: where a token starts. */
const START = /(?<![A-Za-z0-9_.-])eyJ[A-Za-z0-9_.-]*/g
/** An Ed25519 signature is 64 bytes, 86 base64url characters: where a wrapped token ends. */
const SIGNATURE_CHARS = 86

/** clean removes what mail adds to a line: "> " quote marks, surrounding spaces and quotes. */
const clean = (line: string): string =>
  line
    .replace(/^\s*(?:>\s*)*/, '')
    .trim()
    .replace(/^["'`]+|["'`]+$/g, '')

const complete = (text: string): boolean => {
  const parts = text.split('.')
  return parts.length >= 3 && parts[2]!.length >= SIGNATURE_CHARS
}

/** armoredTokens returns the content of each BEGIN/END block, or undefined when the text has none. */
function armoredTokens(lines: string[], name: string): string[] | undefined {
  const found: string[] = []
  let inside: string[] | undefined
  for (const line of lines) {
    if (BEGIN.test(line)) inside = []
    else if (END.test(line) && inside) {
      found.push(inside.join('').replace(/\s+/g, ''))
      inside = undefined
    } else inside?.push(line)
  }
  if (inside) throw new LicenseError('malformed', `${name} starts with a -----BEGIN line but its -----END line is missing: copy the whole block`)
  return found.length ? found : undefined
}

/** looseTokens finds tokens in plain text: each starts at `eyJ` and may continue on the following lines. */
function looseTokens(lines: string[]): string[] {
  const found: string[] = []
  lines.forEach((line, i) => {
    for (const m of line.matchAll(START)) {
      let token = m[0]
      // Wrapped: the token runs to the end of its line and goes on below, line by line, until whole.
      for (let j = i + 1; m.index + m[0].length === line.length && j < lines.length && !complete(token); j++) {
        const next = /^[A-Za-z0-9_.-]+/.exec(lines[j]!)?.[0]
        if (!next) break
        token += next
        if (next.length < lines[j]!.length) break
      }
      found.push(token)
    }
  })
  return found
}

/**
 * extractToken returns the one compact token in `text`, wherever it stands. `name` says what is
 * expected ("a license key") in messages. Throws LicenseError malformed when the text holds no whole
 * token, several_tokens when it holds two different ones.
 */
export function extractToken(text: string, name: string): string {
  const lines = text.split(/\r\n|\r|\n/).map(clean)
  const joined = lines.join('')
  // A bare token, perhaps wrapped: kept as it is, so its own faults get their own messages.
  const candidates = TOKEN_CHARS.test(joined) ? [joined] : (armoredTokens(lines, name) ?? looseTokens(lines))
  const whole = [...new Set(candidates.filter((c) => JWS.test(c)))]
  if (whole.length > 1) {
    throw new LicenseError(
      'several_tokens',
      `the text holds ${whole.length} different keys (ending ${whole.map((t) => `'...${t.slice(-8)}'`).join(', ')}) where one is expected: paste only ${name}`,
    )
  }
  if (whole.length === 0) {
    throw new LicenseError('malformed', `this is not ${name}: expected three dot-separated base64url parts (copy the whole key)`)
  }
  return whole[0]!
}
