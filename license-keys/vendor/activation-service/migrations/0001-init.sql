-- The vendor's records: licenses issued or seen, revocations, machine activations, update packages.
-- Times are unix seconds, the unit of the tokens they come from.

-- A license is recorded when `veche-vendor license issue` signs it, or the first time the activation
-- service sees it (the service may run on another machine than the one that issued the key).
CREATE TABLE licenses (
  id TEXT PRIMARY KEY,
  licensee TEXT NOT NULL,
  plan TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  activations INTEGER NOT NULL,
  -- The signed claims as JSON: what the customer holds, for support questions.
  claims TEXT NOT NULL,
  recorded_by TEXT NOT NULL CHECK (recorded_by IN ('issue', 'activation')),
  recorded_at INTEGER NOT NULL
);

-- No foreign key: a license issued elsewhere can be revoked here before the service ever sees it.
CREATE TABLE revocations (
  license_id TEXT PRIMARY KEY,
  revoked_at INTEGER NOT NULL
);

-- One row per machine that holds a license. Releasing keeps the row (history) and frees the slot.
CREATE TABLE activations (
  id TEXT PRIMARY KEY,
  license_id TEXT NOT NULL REFERENCES licenses (id),
  -- The hashed identity components, apart from the JSON, so "same machine" is an indexed lookup.
  machine_id TEXT,
  product_uuid TEXT,
  fingerprint TEXT NOT NULL,
  hostname TEXT NOT NULL,
  version TEXT NOT NULL,
  activated_at INTEGER NOT NULL,
  -- The last (re-)activation: a certificate was answered then.
  renewed_at INTEGER NOT NULL,
  released_at INTEGER
);
CREATE INDEX activations_active ON activations (license_id) WHERE released_at IS NULL;

CREATE TABLE update_packages (
  id TEXT PRIMARY KEY,
  license_id TEXT NOT NULL REFERENCES licenses (id),
  updates_until INTEGER NOT NULL,
  issued_at INTEGER NOT NULL
);
CREATE INDEX update_packages_license ON update_packages (license_id);
