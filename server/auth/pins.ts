// Room PINs for guests: 4-12 digits, stored only as a scrypt hash and compared in constant time.
import { hashPassword, verifyPassword } from './passwords.ts'

export const PIN_PATTERN = '^[0-9]{4,12}$'
const pinRe = new RegExp(PIN_PATTERN)

/** isValidPin: 4 to 12 digits. */
export const isValidPin = (pin: string): boolean => pinRe.test(pin)

/** hashPin returns the hash to store; throws on a PIN that is not 4-12 digits. */
export function hashPin(pin: string): Promise<string> {
  if (!isValidPin(pin)) throw new Error('a PIN is 4 to 12 digits')
  return hashPassword(pin)
}

/** verifyPin: `pin` matches `stored` (same cost for any input, so timing tells nothing). */
export function verifyPin(pin: string, stored: string): Promise<boolean> {
  return verifyPassword(pin, stored)
}
