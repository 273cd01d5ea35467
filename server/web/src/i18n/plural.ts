// The shapes of plural messages per language: Intl.PluralRules picks the form at run time.

/** English needs two forms: "1 participant", "2 participants". */
export type EnglishPlural = {
  one: string
  other: string
}

/**
 * Russian needs four: "1 участник" (one, also 21, 31…), "2 участника" (few), "5 участников" (many),
 * and "1,5 участника" (other, fractions).
 */
export type RussianPlural = {
  one: string
  few: string
  many: string
  other: string
}
