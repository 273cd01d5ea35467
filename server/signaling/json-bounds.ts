// Bounds the shape of a parsed signaling message before anything else reads it. The method schemas
// leave mediasoup's own structures (rtpParameters, dtlsParameters, rtpCapabilities) open, and
// mediasoup walks them recursively: a frame nested thousands deep overflows its stack. Real ones are
// a few levels deep with dozens of entries, so these limits are far above any browser's.

export interface JsonBounds {
  /** Nesting of objects and arrays; the envelope `{id, method, data}` is level 1. */
  depth: number
  /** Objects, arrays and scalars in the whole message. */
  nodes: number
  /** Entries of one array or keys of one object. */
  entries: number
  /** Characters of one string or object key. */
  stringLength: number
}

export const SIGNALING_BOUNDS: JsonBounds = { depth: 16, nodes: 20_000, entries: 1_000, stringLength: 8_192 }

/**
 * boundsProblem walks `value` (a JSON.parse result) without recursion and returns what exceeds
 * `bounds` in words, or null when it fits. It stops at the first problem, so its cost is bounded too.
 */
export function boundsProblem(value: unknown, bounds: JsonBounds = SIGNALING_BOUNDS): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }]
  let nodes = 0
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!
    if (++nodes > bounds.nodes) return `more than ${bounds.nodes} values`
    if (typeof current === 'string') {
      if (current.length > bounds.stringLength) return `a string longer than ${bounds.stringLength} characters`
      continue
    }
    if (typeof current !== 'object' || current === null) continue
    if (depth + 1 > bounds.depth) return `nested deeper than ${bounds.depth} levels`
    const children = Array.isArray(current) ? current : Object.values(current)
    if (children.length > bounds.entries) return `an object or array with more than ${bounds.entries} entries`
    if (!Array.isArray(current)) {
      for (const key of Object.keys(current)) {
        if (key.length > bounds.stringLength) return `a key longer than ${bounds.stringLength} characters`
      }
    }
    for (const child of children) stack.push({ value: child, depth: depth + 1 })
  }
  return null
}
