-- A 64-bit hash of each version's natural key and values, computed by the
-- loader. Sums of it per group fingerprint what history holds, so a
-- re-load of unchanged input is recognised without staging it. Versions
-- written before this column existed have NULL and never match.
ALTER TABLE trade_flows_history ADD COLUMN row_hash UBIGINT;
ALTER TABLE mineral_statistics_history ADD COLUMN row_hash UBIGINT;

CREATE OR REPLACE VIEW trade_flows AS
SELECT * EXCLUDE (valid_to, row_hash) FROM trade_flows_history WHERE valid_to IS NULL;

CREATE OR REPLACE VIEW mineral_statistics AS
SELECT * EXCLUDE (valid_to, row_hash) FROM mineral_statistics_history WHERE valid_to IS NULL;

CREATE OR REPLACE MACRO trade_flows_as_of(ts) AS TABLE
SELECT * EXCLUDE (valid_to, row_hash) FROM trade_flows_history
WHERE valid_from <= CAST(ts AS TIMESTAMP) AND (valid_to IS NULL OR valid_to > CAST(ts AS TIMESTAMP));

CREATE OR REPLACE MACRO mineral_statistics_as_of(ts) AS TABLE
SELECT * EXCLUDE (valid_to, row_hash) FROM mineral_statistics_history
WHERE valid_from <= CAST(ts AS TIMESTAMP) AND (valid_to IS NULL OR valid_to > CAST(ts AS TIMESTAMP));
