-- Ingest speed (B4): a foreign key on entries.device_id runs a lookup and a row lock on the
-- device per inserted entry, about a fifth of an ingest in PGlite. It guards nothing the
-- ingest does not already: device entries are written only by the ingest of an
-- authenticated device, whose row it holds locked (FOR UPDATE) for the whole transaction,
-- and devices are never deleted.
ALTER TABLE entries DROP CONSTRAINT IF EXISTS entries_device_id_fkey;
