// The account an admin command names by e-mail, or the error that says how to find the right one.
import type { SignInRecord, UsersRepository } from '../server/db/users-repository.ts'
import { CliError } from './errors.ts'

export async function userByEmail(users: UsersRepository, email: string): Promise<SignInRecord> {
  const found = await users.findForSignIn(email)
  if (!found) throw new CliError(`no user with e-mail ${email}: check the address (the Users page lists every account)`)
  return found
}
