// Asks glibc inside another process what its allocator holds, through gdb: malloc_info() (every
// arena's system memory and the free chunks it keeps) and malloc_trim(0) (give free pages back).
// gdb stops the process for ~2 s, so this is for idle moments of a bench, never under load.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface MallocInfo {
  /** Arenas (the main one plus one per thread that met contention). */
  arenas: number
  /** Bytes the arenas got from the system (brk and heap mmaps), without single mmapped chunks. */
  systemBytes: number
  /** Bytes in free chunks the arenas keep (fastbins and the rest): held, not in use. */
  freeBytes: number
  /** Bytes in chunks large enough to have their own mmap (returned on free). */
  mmapBytes: number
}

const attr = (xml: string, re: RegExp): number => Number(re.exec(xml)?.[1] ?? Number.NaN)

/** parseMallocInfo reads the totals of malloc_info()'s XML (the ones after the last <heap>). */
export function parseMallocInfo(xml: string): MallocInfo {
  const totals = xml.slice(xml.lastIndexOf('</heap>'))
  return {
    arenas: (xml.match(/<heap nr=/g) ?? []).length,
    systemBytes: attr(totals, /<system type="current" size="(\d+)"/),
    freeBytes: attr(totals, /<total type="fast" count="\d+" size="(\d+)"/) + attr(totals, /<total type="rest" count="\d+" size="(\d+)"/),
    mmapBytes: attr(totals, /<total type="mmap" count="\d+" size="(\d+)"/),
  }
}

function gdb(pid: number, commands: string[]): void {
  execFileSync('gdb', ['-batch', '-nx', '-p', String(pid), ...commands.flatMap((c) => ['-ex', c])], { stdio: 'ignore', timeout: 60_000 })
}

/** mallocInfo returns what glibc's allocator in `pid` holds; throws when gdb cannot attach. */
export function mallocInfo(pid: number): MallocInfo {
  const dir = mkdtempSync(join(tmpdir(), 'veche-malloc-'))
  const file = join(dir, 'info.xml')
  try {
    // No debug symbols needed: every call is cast to a plain type.
    gdb(pid, [`print (void*)fopen("${file}", "w")`, 'print (int)malloc_info(0, $1)', 'print (int)fclose($1)'])
    return parseMallocInfo(readFileSync(file, 'utf8'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** mallocTrim makes glibc in `pid` return every free page it can (malloc_trim(0)). */
export function mallocTrim(pid: number): void {
  gdb(pid, ['print (int)malloc_trim(0)'])
}
