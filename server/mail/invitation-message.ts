// The invitation e-mail's words, in the language the sender chose: subject, plain text, simple HTML,
// and the calendar event's description. Everything the sender or a title supplies is escaped.

export type MailLang = 'en' | 'ru'

export interface InvitationContent {
  lang: MailLang
  senderName: string
  roomTitle: string
  link: string
  /** The sender's own words; may span lines. */
  message?: string | undefined
  when?: { start: number; durationMinutes: number; timeZone: string } | undefined
}

export interface ComposedInvitation {
  subject: string
  text: string
  html: string
  /** For the .ics DESCRIPTION: the same words without the HTML. */
  description: string
}

const words = {
  en: {
    locale: 'en-GB',
    subject: (title: string) => `Invitation: ${title}`,
    invites: (sender: string, title: string) => `${sender} invites you to the video meeting “${title}”.`,
    when: 'When',
    join: 'Join from your browser',
    joinButton: 'Join the meeting',
    noInstall: 'Nothing to install: open the link in Chrome, Edge, Firefox or Safari.',
    via: (sender: string) => `${sender} via Veche`,
  },
  ru: {
    locale: 'ru',
    subject: (title: string) => `Приглашение: ${title}`,
    invites: (sender: string, title: string) => `${sender} приглашает вас на видеовстречу «${title}».`,
    when: 'Когда',
    join: 'Подключиться из браузера',
    joinButton: 'Войти во встречу',
    noInstall: 'Ничего устанавливать не нужно: откройте ссылку в Chrome, Edge, Firefox или Safari.',
    via: (sender: string) => `${sender} через Veche`,
  },
} as const

/** oneLine turns text meant for a header or a title into one line: no CR, LF or other controls. */
export const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim()

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

/** formatWhen shows the meeting's start and end in the sender's time zone and language. */
export function formatWhen(lang: MailLang, when: NonNullable<InvitationContent['when']>): string {
  const format = new Intl.DateTimeFormat(words[lang].locale, { dateStyle: 'full', timeStyle: 'short', timeZone: when.timeZone })
  return `${format.formatRange(when.start, when.start + when.durationMinutes * 60_000)} (${when.timeZone})`
}

/** senderLabel is the From name: "<sender> via Veche" in the message's language. */
export const senderLabel = (lang: MailLang, senderName: string): string => words[lang].via(oneLine(senderName))

/** composeInvitation returns the subject and bodies of one invitation. */
export function composeInvitation(content: InvitationContent): ComposedInvitation {
  const w = words[content.lang]
  const title = oneLine(content.roomTitle)
  const sender = oneLine(content.senderName)
  const message = content.message?.replace(/\r\n?/g, '\n').trim() || undefined
  const when = content.when ? formatWhen(content.lang, content.when) : undefined

  const paragraphs = [w.invites(sender, title), when && `${w.when}: ${when}`, message, `${w.join}: ${content.link}`, w.noInstall]
  const text = paragraphs.filter(Boolean).join('\n\n') + '\n'
  const description = [when && `${w.when}: ${when}`, message, `${w.join}: ${content.link}`].filter(Boolean).join('\n\n')

  const link = escapeHtml(content.link)
  const html = [
    '<!doctype html>',
    `<html lang="${content.lang}"><head><meta charset="utf-8"><title>${escapeHtml(w.subject(title))}</title></head>`,
    '<body style="font-family: system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #1c1f24;">',
    `<p>${escapeHtml(w.invites(sender, title))}</p>`,
    when ? `<p><strong>${w.when}:</strong> ${escapeHtml(when)}</p>` : '',
    message ? `<blockquote style="margin: 0 0 1em; padding-left: 12px; border-left: 3px solid #dde1e6; white-space: pre-wrap;">${escapeHtml(message)}</blockquote>` : '',
    `<p><a href="${link}" style="display: inline-block; padding: 10px 18px; background: #2456c9; color: #ffffff; border-radius: 8px; text-decoration: none;">${w.joinButton}</a></p>`,
    `<p>${w.join}: <a href="${link}">${link}</a></p>`,
    `<p style="color: #5c6470;">${w.noInstall}</p>`,
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n')

  return { subject: w.subject(title), text, html, description }
}
