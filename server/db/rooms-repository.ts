// Owns the rooms table: the rooms employees create. Live media state is the SFU's, not stored here.
import { randomBytes } from 'node:crypto'
import type { Db } from './database.ts'
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

interface RoomRow {
  id: string
  title: string
  owner_id: string
  created_at: number
  lobby: LobbyMode
  pin_hash: string | null
}

const toRoom = (r: RoomRow): Room => ({
  id: r.id as RoomId,
  title: r.title,
  ownerId: r.owner_id as UserId,
  createdAt: r.created_at,
  lobby: r.lobby,
  pinHash: r.pin_hash,
})

/** A room id is its link's secret: 128 random bits, URL-safe. */
const newRoomId = (): RoomId => randomBytes(16).toString('base64url') as RoomId

export function createRoomsRepository(db: Db) {
  const byId = db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE id = ?')
  const byOwner = db.prepare<[string], RoomRow>('SELECT * FROM rooms WHERE owner_id = ? ORDER BY created_at DESC')
  const insert = db.prepare('INSERT INTO rooms (id, title, owner_id, created_at) VALUES (?, ?, ?, ?)')
  const remove = db.prepare('DELETE FROM rooms WHERE id = ?')
  const setSettings = db.prepare('UPDATE rooms SET lobby = ?, pin_hash = ? WHERE id = ?')

  return {
    get(id: string): Room | undefined {
      const row = byId.get(id)
      return row && toRoom(row)
    },
    listByOwner(ownerId: UserId): Room[] {
      return byOwner.all(ownerId).map(toRoom)
    },
    create(ownerId: UserId, title: string): Room {
      const id = newRoomId()
      insert.run(id, title.trim(), ownerId, Date.now())
      return this.get(id)!
    },
    /** setModeration stores the lobby mode and PIN hash (null: no PIN); false when the room is gone. */
    setModeration(id: RoomId, lobby: LobbyMode, pinHash: string | null): boolean {
      return setSettings.run(lobby, pinHash, id).changes === 1
    },
    delete(id: RoomId): boolean {
      return remove.run(id).changes === 1
    },
  }
}

export type RoomsRepository = ReturnType<typeof createRoomsRepository>
