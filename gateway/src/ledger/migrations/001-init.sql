-- Loyalty Edge ledger schema, v1 (architecture.md: append-only ledger, idempotency in the schema).
-- Projections (balances, lots.remaining, holds.status) are kept in the same transaction as the
-- entries that imply them; `verify()` recomputes them from entries.

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
  tier_since TEXT,
  referrer_id TEXT REFERENCES members (id),
  enrolled_at TEXT NOT NULL,
  last_sale_at TEXT
) STRICT;
CREATE INDEX members_phone ON members (phone) WHERE phone IS NOT NULL;

CREATE TABLE cards (
  -- docs/protocol.md: uid is hex, upper case, as read.
  uid TEXT PRIMARY KEY CHECK (length(uid) > 0 AND uid NOT GLOB '*[^0-9A-F]*'),
  number TEXT UNIQUE,
  member_id TEXT NOT NULL REFERENCES members (id),
  status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'suspended', 'blocked', 'locked', 'expired')),
  expires_at TEXT,
  pin_hash TEXT,
  pin_failures INTEGER NOT NULL DEFAULT 0 CHECK (pin_failures >= 0),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX cards_member ON cards (member_id);

CREATE TABLE transactions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  request_hash TEXT,
  type TEXT NOT NULL,
  at TEXT NOT NULL,
  store_id TEXT NOT NULL,
  ref TEXT,
  response TEXT,
  program_version INTEGER NOT NULL
) STRICT;
CREATE INDEX transactions_ref ON transactions (ref) WHERE ref IS NOT NULL;

CREATE TABLE gift_cards (
  code TEXT PRIMARY KEY,
  issued_at TEXT NOT NULL,
  expires_at TEXT,
  tx_id INTEGER NOT NULL REFERENCES transactions (id)
) STRICT;

CREATE TABLE lots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_type TEXT NOT NULL CHECK (owner_type IN ('member', 'gift-card')),
  owner_id TEXT NOT NULL,
  asset TEXT NOT NULL CHECK (asset IN ('points', 'credit')),
  amount INTEGER NOT NULL CHECK (amount > 0),
  remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
  earned_at TEXT NOT NULL,
  available_at TEXT NOT NULL,
  expires_at TEXT,
  expires_ms INTEGER, -- expires_at as epoch ms, for the expiry job (offsets compare correctly)
  tx_id INTEGER NOT NULL REFERENCES transactions (id)
) STRICT;
CREATE INDEX lots_open ON lots (owner_type, owner_id) WHERE remaining > 0;
CREATE INDEX lots_expiring ON lots (expires_ms) WHERE remaining > 0 AND expires_ms IS NOT NULL;

CREATE TABLE entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, -- the device sequence (docs/protocol.md: sync)
  tx_id INTEGER NOT NULL REFERENCES transactions (id),
  owner_type TEXT NOT NULL CHECK (owner_type IN ('member', 'gift-card')),
  owner_id TEXT NOT NULL,
  asset TEXT NOT NULL CHECK (asset IN ('points', 'credit')),
  bucket TEXT NOT NULL CHECK (bucket IN ('available', 'held', 'debt')),
  kind TEXT NOT NULL,
  amount INTEGER NOT NULL,
  lot_id INTEGER REFERENCES lots (id),
  hold_id TEXT,
  qualifying INTEGER NOT NULL DEFAULT 0,
  rule_id TEXT,
  meta TEXT,
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL, -- `at` as epoch ms: instants with different offsets compare correctly
  program_version INTEGER NOT NULL
) STRICT;
CREATE INDEX entries_owner ON entries (owner_type, owner_id, seq);
CREATE INDEX entries_tx ON entries (tx_id);
CREATE INDEX entries_lot ON entries (lot_id) WHERE lot_id IS NOT NULL;
CREATE INDEX entries_hold ON entries (hold_id) WHERE hold_id IS NOT NULL;
CREATE INDEX entries_qualifying ON entries (owner_id, at_ms) WHERE qualifying <> 0 AND owner_type = 'member';

CREATE TABLE balances (
  owner_type TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  asset TEXT NOT NULL,
  bucket TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount >= 0), -- docs/program.md: never stored negative
  PRIMARY KEY (owner_type, owner_id, asset, bucket)
) STRICT, WITHOUT ROWID;

CREATE TABLE holds (
  hold_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members (id),
  amount INTEGER NOT NULL CHECK (amount > 0), -- as authorized; what is still held is in entries
  expires_at TEXT NOT NULL,
  expires_ms INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'captured', 'voided', 'expired')),
  opened_tx INTEGER NOT NULL REFERENCES transactions (id),
  closed_tx INTEGER REFERENCES transactions (id)
) STRICT;
CREATE INDEX holds_open ON holds (member_id) WHERE status = 'open';
CREATE INDEX holds_expiring ON holds (expires_ms) WHERE status = 'open';
CREATE INDEX holds_member ON holds (member_id, expires_ms);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  tx_id INTEGER NOT NULL UNIQUE REFERENCES transactions (id),
  from_seq INTEGER, -- NULL when the transaction posted no entry (e.g. an anonymous sale)
  to_seq INTEGER,
  created_at TEXT NOT NULL,
  sent_at TEXT
) STRICT;
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

CREATE TABLE sales (
  sale_id TEXT PRIMARY KEY,
  tx_id INTEGER NOT NULL REFERENCES transactions (id),
  member_id TEXT,
  at TEXT NOT NULL,
  record TEXT NOT NULL
) STRICT;

CREATE TABLE sale_returns (
  return_id TEXT PRIMARY KEY,
  sale_id TEXT NOT NULL REFERENCES sales (sale_id),
  tx_id INTEGER NOT NULL REFERENCES transactions (id),
  at TEXT NOT NULL,
  record TEXT NOT NULL
) STRICT;
CREATE INDEX sale_returns_sale ON sale_returns (sale_id);

-- Any other record a transaction carries (e.g. the engine's raffleEntries), kept as JSON.
CREATE TABLE tx_records (
  tx_id INTEGER NOT NULL REFERENCES transactions (id),
  kind TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (tx_id, kind)
) STRICT;
CREATE INDEX tx_records_kind ON tx_records (kind);

CREATE TABLE reward_stock (
  reward_id TEXT PRIMARY KEY,
  stock INTEGER NOT NULL CHECK (stock >= 0),
  remaining INTEGER NOT NULL CHECK (remaining >= 0)
) STRICT;

CREATE TABLE tier_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id TEXT NOT NULL REFERENCES members (id),
  from_tier TEXT NOT NULL,
  to_tier TEXT NOT NULL,
  at TEXT NOT NULL,
  tx_id INTEGER NOT NULL REFERENCES transactions (id)
) STRICT;
CREATE INDEX tier_changes_member ON tier_changes (member_id);

CREATE TABLE member_events (
  member_id TEXT NOT NULL REFERENCES members (id),
  event TEXT NOT NULL, -- `${event}:${year}` or `first-purchase` (ledger-types.ts: eventsPosted)
  tx_id INTEGER NOT NULL REFERENCES transactions (id),
  PRIMARY KEY (member_id, event)
) STRICT;

-- Append-only: corrections are reversing entries (architecture.md).
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: entries cannot be updated'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: entries cannot be deleted'); END;
CREATE TRIGGER transactions_no_update BEFORE UPDATE ON transactions
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: transactions cannot be updated'); END;
CREATE TRIGGER transactions_no_delete BEFORE DELETE ON transactions
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: transactions cannot be deleted'); END;
CREATE TRIGGER tier_changes_no_update BEFORE UPDATE ON tier_changes
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: tier_changes cannot be updated'); END;
CREATE TRIGGER tier_changes_no_delete BEFORE DELETE ON tier_changes
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: tier_changes cannot be deleted'); END;
CREATE TRIGGER member_events_no_update BEFORE UPDATE ON member_events
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: member_events cannot be updated'); END;
CREATE TRIGGER member_events_no_delete BEFORE DELETE ON member_events
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: member_events cannot be deleted'); END;
CREATE TRIGGER tx_records_no_update BEFORE UPDATE ON tx_records
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: tx_records cannot be updated'); END;
CREATE TRIGGER tx_records_no_delete BEFORE DELETE ON tx_records
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: tx_records cannot be deleted'); END;
CREATE TRIGGER sales_no_change BEFORE UPDATE ON sales
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: sales cannot be updated'); END;
CREATE TRIGGER sale_returns_no_change BEFORE UPDATE ON sale_returns
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: sale_returns cannot be updated'); END;
-- Projections: only the projected column may move, and never be deleted.
CREATE TRIGGER lots_only_remaining BEFORE UPDATE OF id, owner_type, owner_id, asset, amount, earned_at,
  available_at, expires_at, expires_ms, tx_id ON lots
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: only lots.remaining may change'); END;
CREATE TRIGGER lots_no_delete BEFORE DELETE ON lots
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: lots cannot be deleted'); END;
CREATE TRIGGER holds_close_once BEFORE UPDATE ON holds
WHEN OLD.status <> 'open' OR NEW.hold_id <> OLD.hold_id OR NEW.member_id <> OLD.member_id
  OR NEW.amount <> OLD.amount OR NEW.opened_tx <> OLD.opened_tx
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: a hold closes once'); END;
CREATE TRIGGER holds_no_delete BEFORE DELETE ON holds
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: holds cannot be deleted'); END;
CREATE TRIGGER outbox_only_ack BEFORE UPDATE ON outbox
WHEN OLD.sent_at IS NOT NULL OR NEW.tx_id <> OLD.tx_id OR NEW.from_seq IS NOT OLD.from_seq
  OR NEW.to_seq IS NOT OLD.to_seq
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: outbox rows are only acknowledged'); END;
CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: outbox rows cannot be deleted'); END;
