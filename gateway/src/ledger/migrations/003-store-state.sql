-- Small key/value state of the store's own services (not head-office sync), e.g. the local
-- day the scheduler last ran its daily jobs, so a restart on the same day does not redo them.
CREATE TABLE store_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
