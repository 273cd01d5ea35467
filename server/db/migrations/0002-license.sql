-- The installed license: key, activation certificate, update-package licenses, and the clock guard.
CREATE TABLE license (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  license_id TEXT NOT NULL,
  license_key TEXT NOT NULL,
  certificate TEXT NOT NULL,
  activated_at INTEGER NOT NULL,
  installed_at INTEGER NOT NULL
);

-- An offline activation in progress: the request file was written, the certificate is awaited.
CREATE TABLE license_pending (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  license_id TEXT NOT NULL,
  license_key TEXT NOT NULL,
  nonce TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE update_packages (
  jti TEXT PRIMARY KEY,
  license_id TEXT NOT NULL,
  token TEXT NOT NULL,
  updates_until INTEGER NOT NULL,
  installed_at INTEGER NOT NULL
);

-- The latest time this server has seen; it only moves forward, so a clock turned back shows.
CREATE TABLE clock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_seen INTEGER NOT NULL
);
