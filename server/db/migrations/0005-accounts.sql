-- Workspace accounts: where a user signs in, blocking, failed sign-ins, and the owner's audit log.
-- auth_source: 'local' (password here), 'ldap' or 'oidc' (the directory decides; password_hash is '').
ALTER TABLE users ADD COLUMN auth_source TEXT NOT NULL DEFAULT 'local' CHECK (auth_source IN ('local', 'ldap', 'oidc'));
-- The directory's stable name for the user (LDAP entry DN, OIDC issuer + subject); NULL for local users.
ALTER TABLE users ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX users_external ON users (auth_source, external_id) WHERE external_id IS NOT NULL;
-- Blocked users cannot sign in and lose their sessions; NULL: not blocked.
ALTER TABLE users ADD COLUMN blocked_at INTEGER;
-- Failed sign-ins in a row, and until when the account refuses sign-in (ms since epoch).
ALTER TABLE users ADD COLUMN failed_signins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER;

-- Who did what to whom. Names are copied in so an entry stays readable after a user is deleted
-- (deletion replaces them with an anonymous label).
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor_id TEXT,
  actor_name TEXT NOT NULL,
  action TEXT NOT NULL,
  target_id TEXT,
  target_name TEXT,
  detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id);
CREATE INDEX audit_log_target ON audit_log (target_id);
