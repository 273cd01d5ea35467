// Waits for something the server does after a reply (a room closing once everyone left, a row written by a
// listener) without guessing how long it takes: a busy CI machine may need far longer than a quiet laptop.

/** eventually polls `check` (awaited when it is async) until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
