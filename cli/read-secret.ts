// Reads a password from the terminal without echo, or from stdin when piped.
import { createInterface } from 'node:readline'
import { CliError } from './errors.ts'

export async function readSecret(prompt: string, fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    let text = ''
    for await (const chunk of process.stdin) text += String(chunk)
    const line = text.split(/\r?\n/)[0] ?? ''
    if (!line) throw new CliError('no password on standard input')
    return line
  }
  process.stderr.write(prompt)
  const rl = createInterface({ input: process.stdin, terminal: true })
  // Mute echo: readline writes typed characters through _writeToOutput.
  ;(rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined
  const answer = await new Promise<string>((done) => rl.question('', done))
  rl.close()
  process.stderr.write('\n')
  return answer
}
