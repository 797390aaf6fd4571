-- Sales as the stores report them (the `meta.sale` of a sale transaction's entries, wire.ts
-- wireSale): one row per transaction, for the average check. Written in the ingest's
-- transaction, idempotent by (device, transaction key).
CREATE TABLE sales (
  device_id TEXT NOT NULL,
  tx_key TEXT NOT NULL,
  store_id TEXT NOT NULL,
  sale_id TEXT NOT NULL,
  member_id TEXT,
  total BIGINT NOT NULL CHECK (total >= 0),
  currency TEXT,
  at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (device_id, tx_key)
);
CREATE INDEX sales_store_at ON sales (store_id, at);
