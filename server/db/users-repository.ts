// Owns the users table.
import { randomUUID } from 'node:crypto'
import type { Db } from './database.ts'

export type UserId = string & { readonly __brand: 'UserId' }
export type Role = 'owner' | 'admin' | 'member'

export interface User {
  id: UserId
  email: string
  displayName: string
  role: Role
  createdAt: number
}

interface UserRow {
  id: string
  email: string
  display_name: string
  role: Role
  password_hash: string
  created_at: number
}

const toUser = (r: UserRow): User => ({
  id: r.id as UserId,
  email: r.email,
  displayName: r.display_name,
  role: r.role,
  createdAt: r.created_at,
})

export class EmailTakenError extends Error {
  override name = 'EmailTakenError'
}

export interface NewUser {
  email: string
  displayName: string
  role: Role
  passwordHash: string
}

export function createUsersRepository(db: Db) {
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?')
  const byEmail = db.prepare<[string], UserRow>('SELECT * FROM users WHERE email = ?')
  const all = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY created_at, email')
  const countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users')
  const countOwners = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM users WHERE role = 'owner'")
  const insert = db.prepare(
    'INSERT INTO users (id, email, display_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const setPassword = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?')

  return {
    get(id: string): User | undefined {
      const row = byId.get(id)
      return row && toUser(row)
    },
    /** findForSignIn returns the user and their stored password hash, by e-mail (any case). */
    findForSignIn(email: string): { user: User; passwordHash: string } | undefined {
      const row = byEmail.get(email.trim())
      return row && { user: toUser(row), passwordHash: row.password_hash }
    },
    list(): User[] {
      return all.all().map(toUser)
    },
    count(): number {
      return countAll.get()!.n
    },
    hasOwner(): boolean {
      return countOwners.get()!.n > 0
    },
    /** create inserts a user; throws EmailTakenError when the e-mail is already in use. */
    create(u: NewUser): User {
      const id = randomUUID() as UserId
      try {
        insert.run(id, u.email.trim(), u.displayName.trim(), u.role, u.passwordHash, Date.now())
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new EmailTakenError(`a user with e-mail ${u.email} already exists`)
        }
        throw err
      }
      return this.get(id)!
    },
    setPasswordHash(id: UserId, hash: string): boolean {
      return setPassword.run(hash, id).changes === 1
    },
  }
}

export type UsersRepository = ReturnType<typeof createUsersRepository>
