// Compares an unpacked folder with the list of files it must hold, looking at what is really on disk
// (lstat, links never followed), before anything in it is run or put in place.
import { lstatSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * treeProblems walks `root` and returns every difference from `expected` (relative path -> size):
 * a file missing or of another size, one not listed, and anything that is neither a plain file nor a
 * folder (links, pipes, devices, sockets). `allowed` names extra files that may be there. Empty: it matches.
 */
export function treeProblems(root: string, expected: ReadonlyMap<string, number>, listName: string, allowed: ReadonlySet<string> = new Set()): string[] {
  const problems: string[] = []
  const seen = new Set<string>()
  const visit = (rel: string): void => {
    for (const d of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${d.name}` : d.name
      const st = lstatSync(join(root, path))
      if (st.isDirectory()) visit(path)
      else if (!st.isFile()) problems.push(`${path}: ${st.isSymbolicLink() ? 'a symbolic link' : st.isFIFO() ? 'a named pipe' : 'a special file'}, which ${listName} cannot list`)
      else if (expected.has(path)) {
        seen.add(path)
        if (st.size !== expected.get(path)) problems.push(`${path}: ${st.size} bytes, ${listName} says ${expected.get(path)}`)
      } else if (!allowed.has(path)) problems.push(`${path}: not in ${listName}`)
    }
  }
  visit('')
  for (const path of expected.keys()) if (!seen.has(path)) problems.push(`${path}: missing`)
  return problems
}
