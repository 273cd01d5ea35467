// Named fault-injection points for tests of crash safety: `VECHE_FAILPOINTS=update:after-backup`
// makes the process kill itself (SIGKILL, no cleanup) when it reaches that point, exactly as a power
// cut or `kill -9` would. Unset in production; reading one environment variable costs nothing.
const armed = new Set((process.env.VECHE_FAILPOINTS ?? '').split(',').map((s) => s.trim()).filter(Boolean))

/** failpoint kills this process with SIGKILL if `name` is armed. */
export function failpoint(name: string): void {
  if (!armed.has(name)) return
  process.stderr.write(`failpoint ${name}: killing process ${process.pid}\n`)
  process.kill(process.pid, 'SIGKILL')
}

export function failpointArmed(name: string): boolean {
  return armed.has(name)
}
