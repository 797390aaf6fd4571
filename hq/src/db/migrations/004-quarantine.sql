-- What a device sent that hq cannot store (docs/sync.md: quarantine): an entry with a date
-- that does not exist, a string PostgreSQL refuses, a member or card row of the same kind.
-- hq keeps it here instead of failing the device's batch forever; the rest of the batch and
-- the later ones land, and the device hears of it in the ack. `body` is the item as sent, as
-- JSON text (jsonb cannot hold every string a device may send). One row per item: a batch
-- sent again adds nothing.
CREATE TABLE quarantine (
  id BIGSERIAL PRIMARY KEY,
  device_id TEXT NOT NULL,
  store_id TEXT NOT NULL,
  item TEXT NOT NULL CHECK (item IN ('entry', 'member', 'card')),
  seq BIGINT,
  key TEXT NOT NULL,
  body TEXT NOT NULL,
  reason TEXT NOT NULL,
  quarantined_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (device_id, item, key)
);
CREATE INDEX quarantine_device_seq ON quarantine (device_id, seq);
