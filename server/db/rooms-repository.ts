// Owns the rooms table: the rooms employees create. Live media state is the SFU's, not stored here.
// On Kysely (server/db/engine.ts): the same queries on SQLite and PostgreSQL.
import type { Selectable } from 'kysely'
import { randomBytes } from 'node:crypto'
import type { DataLayer } from './engine.ts'
import type { RoomsTable } from './schema.ts'
import type { UserId } from './users-repository.ts'

export type RoomId = string & { readonly __brand: 'RoomId' }

/** Who waits in the lobby until a host admits them: nobody, guests, or everyone but the creator. */
export type LobbyMode = 'off' | 'guests' | 'everyone'

export interface Room {
  id: RoomId
  title: string
  ownerId: UserId
  createdAt: number
  lobby: LobbyMode
  /** scrypt hash of the guests' PIN; null when the room has none. */
  pinHash: string | null
}

const toRoom = (r: Selectable<RoomsTable>): Room => ({
  id: r.id as RoomId,
  title: r.title,
  ownerId: r.owner_id as UserId,
  createdAt: r.created_at,
  lobby: r.lobby,
  pinHash: r.pin_hash,
})

/** A room id is its link's secret: 128 random bits, URL-safe. */
const newRoomId = (): RoomId => randomBytes(16).toString('base64url') as RoomId

export function createRoomsRepository({ db }: DataLayer) {
  const repository = {
    async get(id: string): Promise<Room | undefined> {
      const row = await db.selectFrom('rooms').selectAll().where('id', '=', id).executeTakeFirst()
      return row && toRoom(row)
    },
    async listByOwner(ownerId: UserId): Promise<Room[]> {
      return (await db.selectFrom('rooms').selectAll().where('owner_id', '=', ownerId).orderBy('created_at', 'desc').execute()).map(toRoom)
    },
    async create(ownerId: UserId, title: string): Promise<Room> {
      const id = newRoomId()
      await db.insertInto('rooms').values({ id, title: title.trim(), owner_id: ownerId, created_at: Date.now() }).execute()
      return (await repository.get(id))!
    },
    /** setModeration stores the lobby mode and PIN hash (null: no PIN); false when the room is gone. */
    async setModeration(id: RoomId, lobby: LobbyMode, pinHash: string | null): Promise<boolean> {
      const { numUpdatedRows } = await db.updateTable('rooms').set({ lobby, pin_hash: pinHash }).where('id', '=', id).executeTakeFirst()
      return numUpdatedRows === 1n
    },
    async delete(id: RoomId): Promise<boolean> {
      const { numDeletedRows } = await db.deleteFrom('rooms').where('id', '=', id).executeTakeFirst()
      return numDeletedRows === 1n
    },
  }
  return repository
}

export type RoomsRepository = ReturnType<typeof createRoomsRepository>
