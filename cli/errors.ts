// An error the CLI prints as one line (no stack) and exits 1 with: the message names the fix.
export class CliError extends Error {
  override name = 'CliError'
}
