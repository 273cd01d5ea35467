-- Accounts, sign-in sessions and rooms: the meetings core.
-- E-mail addresses are unique ignoring case: SQLite's NOCASE, on PostgreSQL this collation.
CREATE COLLATION veche_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false); -- postgres only
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Only a hash of the cookie's token is stored, so a copy of the database cannot sign anyone in.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE rooms (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  owner_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL
);
CREATE INDEX rooms_owner ON rooms (owner_id, created_at);
