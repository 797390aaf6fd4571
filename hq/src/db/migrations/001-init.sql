-- hq schema v1 (docs/protocol.md §2). PostgreSQL 15 syntax: the same SQL runs on PGlite and on a server.

CREATE TABLE stores (
  id TEXT PRIMARY KEY,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One-time enrollment tokens: only their SHA-256 is kept; single use, with an expiry.
CREATE TABLE enrollment_tokens (
  token_hash TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES stores (id),
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  used_by TEXT
);

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  store_id TEXT NOT NULL REFERENCES stores (id),
  token_hash TEXT NOT NULL UNIQUE, -- SHA-256 of the device token; the token itself is never stored
  acked_seq BIGINT NOT NULL DEFAULT 0 CHECK (acked_seq >= 0),
  enrolled_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen_at TIMESTAMPTZ
);

-- The chain's ledger: every store's entries (origin device) and hq's own (origin hq).
-- Re-sending is harmless: UNIQUE (device_id, seq) and UNIQUE idempotency_key.
CREATE TABLE entries (
  id BIGSERIAL PRIMARY KEY,
  origin TEXT NOT NULL CHECK (origin IN ('device', 'hq')),
  device_id TEXT REFERENCES devices (id),
  store_id TEXT,
  seq BIGINT,
  idempotency_key TEXT NOT NULL UNIQUE,
  tx_key TEXT NOT NULL,
  owner_type TEXT NOT NULL CHECK (owner_type IN ('member', 'gift-card')),
  owner_id TEXT NOT NULL,
  asset TEXT NOT NULL CHECK (asset IN ('points', 'credit')),
  bucket TEXT NOT NULL CHECK (bucket IN ('available', 'held', 'debt')),
  kind TEXT NOT NULL,
  amount BIGINT NOT NULL,
  qualifying BIGINT NOT NULL DEFAULT 0,
  rule_id TEXT,
  meta JSONB,
  at TIMESTAMPTZ NOT NULL,
  program_version INTEGER NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (device_id, seq),
  CHECK ((origin = 'device') = (device_id IS NOT NULL AND seq IS NOT NULL))
);
CREATE INDEX entries_owner ON entries (owner_type, owner_id);
-- BRIN: entries arrive roughly in time order; a btree here costs ingest more than reports gain.
CREATE INDEX entries_at ON entries USING brin (at);

CREATE TABLE members (
  id TEXT PRIMARY KEY,
  first_name TEXT NOT NULL,
  last_name TEXT,
  phone TEXT,
  email TEXT,
  birth_date TEXT,
  anniversary_date TEXT,
  language TEXT NOT NULL DEFAULT 'en',
  customer_group TEXT,
  tier TEXT NOT NULL,
  tier_since TIMESTAMPTZ,
  enrolled_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE cards (
  uid TEXT PRIMARY KEY,
  number TEXT UNIQUE,
  member_id TEXT NOT NULL REFERENCES members (id),
  status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'suspended', 'blocked', 'locked', 'expired')),
  expires_at TIMESTAMPTZ,
  pin_hash TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX cards_member ON cards (member_id);

CREATE TABLE programs (
  version INTEGER PRIMARY KEY,
  body JSONB NOT NULL,
  published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  published_by TEXT
);

CREATE TABLE rewards (
  id TEXT PRIMARY KEY,
  body JSONB NOT NULL,
  active BOOLEAN NOT NULL DEFAULT true
);

-- Chain-wide truth per member: the sum of ingested and hq-originated `available` entries,
-- kept in the same transaction as the entries that move it.
CREATE TABLE balances (
  member_id TEXT PRIMARY KEY,
  points BIGINT NOT NULL DEFAULT 0,
  credit BIGINT NOT NULL DEFAULT 0
);

-- The changes feed (docs/protocol.md §2). Writers take one advisory lock before inserting, so
-- cursors become visible in order and a reader never skips one that commits late.
CREATE TABLE changes (
  cursor BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('member', 'card', 'balance', 'program', 'reward', 'offer')),
  key TEXT NOT NULL,
  store_id TEXT -- NULL: for every store
);

-- docs/program.md Events: in a chain, member-level scheduled events run at hq only, once.
CREATE TABLE member_events (
  member_id TEXT NOT NULL,
  event TEXT NOT NULL,
  year INTEGER NOT NULL,
  entry_key TEXT NOT NULL,
  PRIMARY KEY (member_id, event, year)
);

CREATE TABLE offers (
  id TEXT PRIMARY KEY,
  segment TEXT NOT NULL,
  body JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE offer_targets (
  offer_id TEXT NOT NULL REFERENCES offers (id),
  member_id TEXT NOT NULL,
  PRIMARY KEY (offer_id, member_id)
);
