// A real SMTP server on loopback for tests (smtp-server), and a small reader of what it received:
// headers (RFC 5322 unfolding, RFC 2047 words), MIME multiparts, base64 and quoted-printable, and the
// iCalendar text of an invitation (RFC 5545 unfolding and TEXT unescaping).
import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'

interface TestContext {
  teardown(fn: () => unknown): void
}

export interface MimePart {
  /** Header names in lower case, values unfolded and RFC 2047-decoded, in order. */
  headers: [string, string][]
  header(name: string): string | undefined
  headerAll(name: string): string[]
  /** e.g. text/plain, lower case. */
  type: string
  params: Record<string, string>
  /** The decoded body (UTF-8); empty for a multipart. */
  body: string
  parts: MimePart[]
}

export interface ReceivedMail {
  envelope: { from: string; to: string[] }
  /** The session was on TLS (implicit or after STARTTLS) when the message came. */
  secure: boolean
  /** The user the client signed in as, if it did. */
  user: string | undefined
  raw: string
  message: MimePart
}

export interface TestSmtpServer {
  port: number
  messages: ReceivedMail[]
  /** Addresses refused at RCPT TO (550), in order. */
  refused: string[]
  close(): Promise<void>
}

export interface TestSmtpOptions {
  /** Key and certificate: offered through STARTTLS (or implicit TLS with `secure`). Absent: no TLS at all. */
  tls?: { key: string; cert: string }
  secure?: boolean
  /** Require this sign-in. */
  auth?: { user: string; pass: string }
  /** Refuse these recipients with 550 at RCPT TO. */
  refuse?: (address: string) => boolean
}

/** startSmtpServer listens on 127.0.0.1 on a free port and collects every message; closed at test end. */
export async function startSmtpServer(t: TestContext, options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = []
  const refused: string[] = []
  const config: SMTPServerOptions = {
    logger: false,
    secure: options.secure ?? false,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    // Without key and certificate smtp-server would offer STARTTLS with a built-in one: "no TLS" is off.
    disabledCommands: [...(options.tls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.username === options.auth?.user && auth.password === options.auth?.pass) return callback(null, { user: auth.username })
      const err = Object.assign(new Error('Invalid username or password'), { responseCode: 535 })
      callback(err)
    },
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address)) {
        refused.push(address.address)
        return callback(Object.assign(new Error(`<${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }))
      }
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1')
        messages.push({
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
          raw,
          message: parseMime(raw),
        })
        callback()
      })
    },
  }
  const server = new SMTPServer(config)
  server.on('error', () => {
    // A client that drops the connection mid-session (the tests' refusals) is not the test's failure.
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  let closed = false
  const close = () =>
    closed ? Promise.resolve() : new Promise<void>((resolve) => {
      closed = true
      server.close(() => resolve())
    })
  t.teardown(close)
  return { port, messages, refused, close }
}

/** closedPort returns a loopback port nobody listens on (for "the SMTP server is down"). */
export async function closedPort(t: TestContext): Promise<number> {
  const server = await startSmtpServer(t)
  await server.close()
  return server.port
}

// ---------- Reading messages ----------

const CRLF = '\r\n'

function decodeBytes(bytes: Buffer, charset: string): string {
  return new TextDecoder(charset || 'utf-8').decode(bytes)
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = []
  const body = text.replace(/=\r\n/g, '')
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(body.slice(i + 1, i + 3))) {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16))
      i += 2
    } else {
      bytes.push(c.charCodeAt(0))
    }
  }
  return Buffer.from(bytes)
}

/** decodeWords decodes RFC 2047 encoded-words; adjacent words are joined before decoding (a character may span two). */
export function decodeWords(value: string): string {
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g
  let out = ''
  let last = 0
  let pending: { charset: string; bytes: Buffer[] } | null = null
  const flush = () => {
    if (pending) out += decodeBytes(Buffer.concat(pending.bytes), pending.charset)
    pending = null
  }
  for (let m = word.exec(value); m; m = word.exec(value)) {
    const between = value.slice(last, m.index)
    if (!(pending && /^\s*$/.test(between))) {
      flush()
      out += between
    }
    const [, charset, encoding, text] = m as unknown as [string, string, string, string]
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQuotedPrintable(text.replace(/_/g, ' '))
    const cs = charset.toLowerCase().split('*')[0]!
    if (pending && (pending as { charset: string }).charset === cs) (pending as { bytes: Buffer[] }).bytes.push(bytes)
    else {
      flush()
      pending = { charset: cs, bytes: [bytes] }
    }
    last = m.index + m[0].length
  }
  flush()
  return out + value.slice(last)
}

function parseParams(value: string): { type: string; params: Record<string, string> } {
  const [type = '', ...rest] = value.split(';')
  const params: Record<string, string> = {}
  for (const p of rest) {
    const eq = p.indexOf('=')
    if (eq < 0) continue
    params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')
  }
  return { type: type.trim().toLowerCase(), params }
}

/** parseMime reads one message or part (CRLF line endings, latin1 string of the raw bytes). */
export function parseMime(raw: string): MimePart {
  const split = raw.indexOf(CRLF + CRLF)
  const head = split < 0 ? raw : raw.slice(0, split)
  const body = split < 0 ? '' : raw.slice(split + 4)
  const headers: [string, string][] = head
    .replace(/\r\n(?=[ \t])/g, '')
    .split(CRLF)
    .filter((line) => line.length > 0)
    .map((line) => {
      const colon = line.indexOf(':')
      const value = Buffer.from(line.slice(colon + 1).trim(), 'latin1').toString('utf8')
      return [line.slice(0, colon).toLowerCase(), decodeWords(value)]
    })
  const header = (name: string) => headers.find(([n]) => n === name.toLowerCase())?.[1]
  const headerAll = (name: string) => headers.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v)
  const { type, params } = parseParams(header('content-type') ?? 'text/plain; charset=us-ascii')
  const part: MimePart = { headers, header, headerAll, type, params, body: '', parts: [] }
  if (type.startsWith('multipart/')) {
    const delimiter = `--${params.boundary}`
    const sections = body.split(new RegExp(`(?:^|\\r\\n)${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
    // sections[0] is the preamble; the last starts with "--" (the close delimiter) and holds the epilogue.
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break
      part.parts.push(parseMime(section.replace(/^[ \t]*\r\n/, '')))
    }
    return part
  }
  const encoding = (header('content-transfer-encoding') ?? '7bit').toLowerCase()
  const bytes =
    encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64') : encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : Buffer.from(body, 'latin1')
  part.body = decodeBytes(bytes, params.charset ?? 'utf-8')
  return part
}

/** leaves lists every non-multipart part of a message, depth first. */
export function leaves(part: MimePart): MimePart[] {
  return part.parts.length === 0 && !part.type.startsWith('multipart/') ? [part] : part.parts.flatMap(leaves)
}

/** addressesIn extracts the bare addresses of an address header such as To. */
export function addressesIn(value: string | undefined): string[] {
  if (!value) return []
  return [...value.matchAll(/<([^<>]+)>|([^\s,<>"]+@[^\s,<>"]+)/g)].map((m) => (m[1] ?? m[2])!.toLowerCase())
}

// ---------- Reading iCalendar ----------

export interface IcsProperty {
  name: string
  params: Record<string, string>
  value: string
}

export interface ParsedIcs {
  /** Raw physical lines (before unfolding), without their CRLF. */
  physicalLines: string[]
  /** Content lines after unfolding. */
  properties: IcsProperty[]
  /** The first property called `name` (within the whole calendar). */
  get(name: string): IcsProperty | undefined
}

/** unescapeText reverses RFC 5545 TEXT escaping. */
export function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c))
}

/** parseIcs unfolds and splits an iCalendar text. Throws when a line does not end in CRLF. */
export function parseIcs(text: string): ParsedIcs {
  if (!text.endsWith(CRLF)) throw new Error('iCalendar text must end with CRLF')
  const body = text.slice(0, -2)
  if (/(?<!\r)\n|\r(?!\n)/.test(body)) throw new Error('iCalendar lines must end with CRLF')
  const physicalLines = body.split(CRLF)
  const unfolded = body.replace(/\r\n[ \t]/g, '').split(CRLF)
  const properties = unfolded.map((line): IcsProperty => {
    // The value starts at the first colon outside a quoted parameter value.
    let quoted = false
    let colon = -1
    for (let i = 0; i < line.length; i++) {
      if (line[i] === '"') quoted = !quoted
      else if (line[i] === ':' && !quoted) {
        colon = i
        break
      }
    }
    const [name = '', ...rawParams] = line.slice(0, colon).split(/;(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    const params: Record<string, string> = {}
    for (const p of rawParams) {
      const eq = p.indexOf('=')
      params[p.slice(0, eq).toUpperCase()] = p.slice(eq + 1).replace(/^"(.*)"$/, '$1')
    }
    return { name: name.toUpperCase(), params, value: line.slice(colon + 1) }
  })
  return { physicalLines, properties, get: (name) => properties.find((p) => p.name === name.toUpperCase()) }
}

/** mailSettings are the --set flags that point Veche's mail config at a test SMTP server. */
export const mailSettings = (port: number, extra: string[] = []): string[] => [
  'mail.smtpHost=127.0.0.1',
  `mail.smtpPort=${port}`,
  'mail.startTls=off',
  'mail.from=Veche <veche@corp.example>',
  'mail.timeoutSeconds=10',
  ...extra,
]
