// The chat saved beside a recording: one line per message, stamped with its time into the
// recording, appended as it is posted so a crash keeps everything said until then.
import { appendFileSync, writeFileSync } from 'node:fs'
import type { ChatMessage } from '../signaling/protocol.ts'

function offset(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000))
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`
}

export class ChatLog {
  readonly #file: string
  readonly #startedAt: number

  /** Creates the file with a header naming the meeting and when recording began. */
  constructor(file: string, title: string, startedAt: number) {
    this.#file = file
    this.#startedAt = startedAt
    writeFileSync(file, `# ${title.replace(/\s+/g, ' ')}\n# ${new Date(startedAt).toISOString()}\n`, { flag: 'wx' })
  }

  /** add appends `[hh:mm:ss] Name: text`; line breaks inside a message are kept, indented. */
  add(message: ChatMessage): void {
    const text = message.text.replace(/\r?\n/g, '\n    ')
    appendFileSync(this.#file, `[${offset(message.at - this.#startedAt)}] ${message.displayName}: ${text}\n`)
  }
}
