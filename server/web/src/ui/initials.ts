// Avatar letters for people without a picture (all of them: the appliance stores no photos).

/** initials picks up to two letters from a display name: "Анна Петрова" -> "АП", "bob" -> "B". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean)
  const picked = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0]]
  return picked.map((word) => Array.from(word ?? '')[0] ?? '').join('').toUpperCase() || '?'
}

/** avatarHue gives each name a stable, calm background colour so tiles are told apart at a glance. */
export function avatarHue(name: string): number {
  let hash = 0
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0
  return hash % 360
}
