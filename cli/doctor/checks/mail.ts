// The SMTP server takes Veche's invitations: the mail settings are complete, and a connection (TLS or
// STARTTLS as configured, with mail.caFile) and the sign-in with mail.user work.
import { describeSmtpError, mailSetup, type SmtpError } from '../../../server/mail/transport.ts'
import type { Check } from '../check.ts'

export const mailCheck: Check = {
  name: 'mail',
  title: 'Mail (SMTP)',
  async run(ctx) {
    const config = ctx.config().mail
    if (config.smtpHost === '') return { status: 'ok', message: 'not configured (mail.smtpHost is empty): e-mail invitations are off' }
    // The same checks the invitation service makes; the message names the key.
    const setup = mailSetup(config)
    if (!setup.ok) return { status: 'error', message: setup.message }
    // open() hands out a nodemailer transporter; MailTransport names only what invitations use of it.
    const transport = setup.open()
    try {
      // Connects, upgrades as mail.secure / mail.startTls say, and signs in; mail.timeoutSeconds bounds each step.
      await transport.verify()
    } catch (err) {
      return { status: 'error', message: describeSmtpError(err as SmtpError, config) }
    } finally {
      transport.close()
    }
    const tls = config.secure ? 'TLS' : config.startTls === 'off' ? 'no TLS' : `STARTTLS ${config.startTls}`
    const who = config.user ? `signed in as ${config.user}` : 'no sign-in'
    return { status: 'ok', message: `${config.smtpHost}:${config.smtpPort} (${tls}, ${who}) accepts connections; invitations come from ${config.from}` }
  },
}
