// A progress bar for the long steps on a terminal; plain start/end lines when output is a file.
export interface Progress {
  update(done: number): void
  end(note?: string): void
}

export function progress(label: string, total: number, out: NodeJS.WriteStream = process.stdout): Progress {
  const tty = out.isTTY
  let last = -1
  if (!tty) out.write(`${label}...\n`)
  return {
    update(done) {
      if (!tty) return
      const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100
      if (pct === last) return
      last = pct
      const width = 30
      const filled = Math.round((pct / 100) * width)
      out.write(`\r${label.padEnd(28)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}%`)
    },
    end(note) {
      if (tty) out.write(`\r${label.padEnd(28)} [${'#'.repeat(30)}] 100%${note ? `  ${note}` : ''}\n`)
      else out.write(`${label}: done${note ? ` (${note})` : ''}\n`)
    },
  }
}
