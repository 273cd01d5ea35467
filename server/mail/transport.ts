// Owns the connection to the company's SMTP server as the mail config describes it, and turns what
// goes wrong there into a sentence that names the setting to check.
import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import nodemailer, { type SendMailOptions } from 'nodemailer'
import type { Config } from '../../config/schema.ts'
import { parseMailbox } from './addresses.ts'

export type MailConfig = Config['mail']

/** The slice of a nodemailer transporter invitations use; closing ends its SMTP connection. */
export interface MailTransport {
  sendMail(message: SendMailOptions): Promise<{ accepted: unknown[]; rejected: unknown[]; response?: string }>
  /** verify connects, upgrades to TLS as configured and signs in, without sending (veche doctor). */
  verify(): Promise<true>
  close(): void
}

export type MailSetup =
  | { ok: true; from: { name: string; address: string }; open: () => MailTransport }
  | { ok: false; message: string }

const KEYS_HINT = 'set mail.smtpHost and mail.from (and mail.smtpPort, mail.user, mail.password, mail.caFile as your SMTP server needs) in the config file and restart Veche'

/**
 * mailSetup checks the mail settings once and returns how to open an SMTP connection, or (ok: false)
 * why invitations are off, naming the keys an administrator sets.
 */
export function mailSetup(config: MailConfig): MailSetup {
  if (!config.smtpHost) return { ok: false, message: `e-mail invitations are not set up on this server: ${KEYS_HINT}` }
  const from = parseMailbox(config.from)
  if (!from) {
    return {
      ok: false,
      message: `e-mail invitations are off: mail.from ${config.from ? `("${config.from}") is not` : 'must be'} a sender address such as "Veche <veche@corp.example>"; set it and restart Veche`,
    }
  }
  let ca: string | undefined
  if (config.caFile) {
    try {
      ca = readFileSync(config.caFile, 'utf8')
    } catch (err) {
      return { ok: false, message: `e-mail invitations are off: cannot read mail.caFile ${config.caFile} (${(err as Error).message}); fix the path and restart Veche` }
    }
  }
  const ms = config.timeoutSeconds * 1000
  const open = (): MailTransport =>
    nodemailer.createTransport({
      // One connection for all messages of one invitation; closed after it.
      pool: true,
      maxConnections: 1,
      maxMessages: Infinity,
      host: config.smtpHost,
      port: config.smtpPort,
      secure: config.secure,
      requireTLS: !config.secure && config.startTls === 'required',
      ignoreTLS: !config.secure && config.startTls === 'off',
      // A failed upgrade is not silently retried in the clear: 'opportunistic' means "when offered".
      opportunisticTLS: false,
      ...(config.user ? { auth: { user: config.user, pass: config.password } } : {}),
      tls: {
        minVersion: 'TLSv1.2',
        ...(ca ? { ca } : {}),
        ...(isIP(config.smtpHost) ? {} : { servername: config.smtpHost }),
      },
      connectionTimeout: ms,
      greetingTimeout: ms,
      socketTimeout: ms,
      dnsTimeout: ms,
      logger: false,
    })
  return { ok: true, from, open }
}

/** What nodemailer attaches to its errors (see its errors.d.ts). */
export interface SmtpError extends Error {
  code?: string
  response?: string
  responseCode?: number
  command?: string
  originalCode?: string
  timeoutType?: string
}

/**
 * connectionLevel tells an error that ends the whole SMTP session (nothing further can be sent) from
 * one about a single message or recipient.
 */
export function connectionLevel(err: SmtpError): boolean {
  return !['EENVELOPE', 'EMESSAGE'].includes(err.code ?? '') || err.responseCode === 421
}

/** describeSmtpError names what went wrong with the SMTP server and the setting that fixes it. */
export function describeSmtpError(err: SmtpError, config: MailConfig): string {
  const server = `${config.smtpHost}:${config.smtpPort}`
  const reply = err.response ? ` (${err.response.replace(/\s+/g, ' ').slice(0, 200)})` : ''
  const detail = err.originalCode ?? err.message
  if (err.code === 'EDNS') return `cannot resolve the SMTP server's name ${config.smtpHost}: check mail.smtpHost`
  if (err.code === 'ETIMEDOUT') return `the SMTP server ${server} did not answer within ${config.timeoutSeconds} s: check mail.smtpHost, mail.smtpPort and the firewall`
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH') return `the SMTP server ${server} refused the sign-in${reply}: check mail.user and mail.password`
  if (err.code === 'ETLS' && /STARTTLS/.test(err.message) && err.response) {
    return `the SMTP server ${server} does not offer STARTTLS${reply}: use its TLS port with mail.secure, or set mail.startTls to off for a relay on a trusted network`
  }
  if (err.code === 'ETLS' || /certificate|ssl|tls|wrong version number/i.test(err.message)) {
    return `TLS with the SMTP server ${server} failed (${err.message}): check mail.caFile, mail.secure and mail.startTls`
  }
  if (err.code === 'ECONNECTION' || err.code === 'ESOCKET') {
    return `cannot talk to the SMTP server ${server} (${detail}): check mail.smtpHost and mail.smtpPort, and that the server runs`
  }
  if (err.code === 'EENVELOPE') return `the SMTP server ${server} refused the addresses${reply || ` (${err.message})`}`
  return `the SMTP server ${server} failed${reply || ` (${err.message})`}`
}
