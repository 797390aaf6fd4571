-- A member's state bounded by the program, not by the history (docs/ledger.md: Merged lots,
-- Qualifying sums).
--
-- 1. Lots the program cannot tell apart are one lot: same owner, asset, expiry instant (an
--    expiry is the end of a day, so: same expiry day) and availability (the same
--    `available_at`, or both spendable already). New earnings fold into the matching open
--    lot at posting time (postings.ts); this migration merges the open lots of an existing
--    database the same way. Entries are append-only and keep naming the lot they were posted
--    to, so a merged lot is not deleted: it keeps its rows, its remaining moves to the lot it
--    was merged into, and `merged_into` says which (verify sums a lot's entries with those of
--    the lots merged into it).
-- 2. Qualifying points per member and UTC day, kept in the same transaction as the entries,
--    so the tier window is a year of day rows at most, not a year of entries.
-- 3. entries_lot and transactions_ref are dropped: only verify read entries by lot (it groups
--    them now), nothing reads transactions by ref.

ALTER TABLE lots ADD COLUMN available_ms INTEGER; -- available_at as epoch ms (offsets compare correctly)
ALTER TABLE lots ADD COLUMN merged_into INTEGER REFERENCES lots (id);

UPDATE lots SET available_ms = CAST(round((julianday(available_at) - 2440587.5) * 86400000) AS INTEGER)
WHERE remaining > 0;

-- What may change of a lot: `remaining`; `amount` only upwards (an earning folded in, or a
-- merge); `merged_into` only as the lot is emptied into another one.
DROP TRIGGER lots_only_remaining;
CREATE TRIGGER lots_only_remaining BEFORE UPDATE OF id, owner_type, owner_id, asset, earned_at,
  available_at, expires_at, expires_ms, tx_id ON lots
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: only lots.remaining may change'); END;
CREATE TRIGGER lots_amount_grows BEFORE UPDATE OF amount ON lots
WHEN NEW.amount < OLD.amount
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: a lot''s amount only grows (an earning folded into it)'); END;
CREATE TRIGGER lots_merged_empty BEFORE UPDATE OF merged_into ON lots
WHEN NEW.merged_into IS NULL OR NEW.remaining <> 0 OR NEW.merged_into = NEW.id
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: a lot is merged into another one by emptying it'); END;
CREATE TRIGGER lots_available_ms BEFORE UPDATE OF available_ms ON lots
WHEN OLD.available_ms IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'APPEND_ONLY: only lots.remaining may change'); END;

-- The lookup a posting folds into (and the member's open lots, by its prefix).
DROP INDEX lots_open;
CREATE INDEX lots_open ON lots (owner_type, owner_id, asset, expires_ms) WHERE remaining > 0;
CREATE INDEX lots_merged ON lots (merged_into) WHERE merged_into IS NOT NULL;

-- Merge the open lots of this database: each group into its oldest lot.
CREATE TEMP TABLE lot_merge AS
SELECT id, amount, remaining, MIN(id) OVER (
    PARTITION BY owner_type, owner_id, asset, expires_ms,
      CASE WHEN available_ms <= CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
        THEN NULL ELSE available_ms END
  ) AS canon
FROM lots WHERE remaining > 0;
DELETE FROM lot_merge WHERE canon NOT IN (SELECT canon FROM lot_merge WHERE id <> canon);
CREATE INDEX temp.lot_merge_canon ON lot_merge (canon);
UPDATE lots SET
  amount = amount + (SELECT SUM(m.amount) FROM lot_merge m WHERE m.canon = lots.id AND m.id <> lots.id),
  remaining = remaining + (SELECT SUM(m.remaining) FROM lot_merge m WHERE m.canon = lots.id AND m.id <> lots.id)
WHERE id IN (SELECT canon FROM lot_merge WHERE id <> canon);
UPDATE lots SET remaining = 0, merged_into = (SELECT m.canon FROM lot_merge m WHERE m.id = lots.id)
WHERE id IN (SELECT id FROM lot_merge WHERE id <> canon);
DROP TABLE lot_merge;

DROP INDEX entries_lot;

CREATE TABLE qualifying_days (
  member_id TEXT NOT NULL,
  day INTEGER NOT NULL, -- UTC day: at_ms / 86 400 000
  amount INTEGER NOT NULL, -- Σ entries.qualifying of the member that day
  first_ms INTEGER NOT NULL, -- the earliest of those entries, as epoch ms and as stored
  first_at TEXT NOT NULL,
  PRIMARY KEY (member_id, day)
) STRICT, WITHOUT ROWID;

INSERT INTO qualifying_days (member_id, day, amount, first_ms, first_at)
SELECT owner_id, at_ms / 86400000, SUM(qualifying), MIN(at_ms), at -- `at` of the MIN row (SQLite)
FROM entries WHERE owner_type = 'member' AND qualifying <> 0
GROUP BY owner_id, at_ms / 86400000;

-- Nothing reads transactions by ref (a sale's id is the key of `sales`): one index less per sale.
DROP INDEX transactions_ref;
