// JSON.parse keeps the last of two equal keys, so a signed manifest naming a file twice would be read
// as naming it once, with whichever size and hash came last. This scan finds such a key first.

/**
 * firstDuplicateKey returns the first key that appears twice in one object of the JSON `text`, or
 * undefined. It assumes `text` is valid JSON (parse it as well); it never recurses, so depth is no risk.
 */
export function firstDuplicateKey(text: string): string | undefined {
  // One set of keys per open object; undefined for an open array.
  const open: (Set<string> | undefined)[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      if (j >= text.length) return undefined
      const raw = text.slice(i, j + 1)
      i = j + 1
      while (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t') i++
      const keys = open.at(-1)
      if (text[i] === ':' && keys) {
        const key = JSON.parse(raw) as string
        if (keys.has(key)) return key
        keys.add(key)
      }
      continue
    }
    if (c === '{') open.push(new Set())
    else if (c === '[') open.push(undefined)
    else if (c === '}' || c === ']') open.pop()
    i++
  }
  return undefined
}
