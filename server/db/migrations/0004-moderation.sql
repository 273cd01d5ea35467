-- Room moderation settings chosen by the room's creator. Host roles, the lobby queue and the lock
-- are live meeting state and are not stored.
-- lobby: who waits for a host to admit them ('off', 'guests', or 'everyone' but the creator).
ALTER TABLE rooms ADD COLUMN lobby TEXT NOT NULL DEFAULT 'off' CHECK (lobby IN ('off', 'guests', 'everyone'));
-- Guests' PIN, as a scrypt hash (server/auth/passwords.ts); NULL: no PIN.
ALTER TABLE rooms ADD COLUMN pin_hash TEXT;
