// The Russian shape of an English dictionary: the same keys, plural entries with Russian's forms.
import type { RussianPlural } from '../plural.ts'

export type RussianOf<E> = {
  readonly [K in keyof E]: E[K] extends string ? string : RussianPlural
}
