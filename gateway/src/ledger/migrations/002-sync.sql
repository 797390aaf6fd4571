-- Head-office sync state (docs/protocol.md §2). Written only by sync-store.ts.

-- Small key/value state: the changes cursor, hq's ackedSeq for this device, lastOkAt.
CREATE TABLE sync_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- hq's chain-wide balance per member, which includes this device's entries up to
-- includes_device_seq. Shown balance = this + this device's entries after that seq.
-- `cursor` is the changes page it came from: an older page never overwrites a newer one.
CREATE TABLE sync_balances (
  member_id TEXT PRIMARY KEY,
  points INTEGER NOT NULL,
  credit INTEGER NOT NULL,
  tier TEXT,
  includes_device_seq INTEGER NOT NULL CHECK (includes_device_seq >= 0),
  cursor INTEGER NOT NULL
) STRICT;

CREATE TABLE sync_program (
  version INTEGER PRIMARY KEY,
  body TEXT NOT NULL,
  received_at TEXT NOT NULL
) STRICT;

CREATE TABLE sync_rewards (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL
) STRICT;

CREATE TABLE sync_offers (
  id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (id, member_id)
) STRICT;
CREATE INDEX sync_offers_member ON sync_offers (member_id);

-- Which members hq already knows: those it sent (origin hq) or that this store uploaded.
-- A member enrolled here and not in this table goes up with the next ledger batch.
CREATE TABLE sync_members (
  member_id TEXT PRIMARY KEY,
  origin TEXT NOT NULL CHECK (origin IN ('hq', 'uploaded'))
) STRICT;
