-- Trade-flow versions are stored id-coded: the strings a row repeats
-- (countries, HS codes, commodity slugs, units) as ids into trade_codes,
-- and what a load's rows share (source, file or request, frequency, flow,
-- HS revision, run and time) as one id into trade_flow_parts. A version
-- row is then a dozen fixed-width numbers, which DuckDB appends and
-- compresses several times faster than the strings it stood for.
-- trade_flows_history keeps its columns as a view over the three tables.
CREATE TABLE trade_codes (
    id   INTEGER PRIMARY KEY,
    code VARCHAR NOT NULL UNIQUE
);

CREATE TABLE trade_flow_parts (
    part_id     INTEGER PRIMARY KEY,
    source      VARCHAR NOT NULL,
    source_ref  VARCHAR NOT NULL,
    freq        VARCHAR NOT NULL,
    flow        VARCHAR NOT NULL,
    hs_revision VARCHAR,
    run_id      BIGINT NOT NULL,
    valid_from  TIMESTAMP NOT NULL
);

CREATE TABLE trade_flow_versions (
    part_id          INTEGER NOT NULL, -- trade_flow_parts
    period           DATE NOT NULL,
    reporter_id      INTEGER NOT NULL, -- trade_codes
    partner_id       INTEGER NOT NULL,
    hs_id            INTEGER NOT NULL,
    commodity_id     INTEGER,
    value_usd        DOUBLE,
    net_weight_kg    DOUBLE,
    quantity         DOUBLE,
    quantity_unit_id INTEGER,
    is_aggregate     BOOLEAN NOT NULL,
    source_row       BIGINT NOT NULL,
    row_hash         UBIGINT,
    valid_to         TIMESTAMP
);

-- Existing versions move over unchanged.
INSERT INTO trade_codes
SELECT row_number() OVER (ORDER BY code), code FROM (
    SELECT reporter_iso3 AS code FROM trade_flows_history
    UNION SELECT partner_iso3 FROM trade_flows_history
    UNION SELECT hs_code FROM trade_flows_history
    UNION SELECT commodity FROM trade_flows_history
    UNION SELECT quantity_unit FROM trade_flows_history)
WHERE code IS NOT NULL;

INSERT INTO trade_flow_parts
SELECT row_number() OVER (ORDER BY valid_from, source, source_ref, freq, flow, hs_revision), *
FROM (SELECT DISTINCT source, source_ref, freq, flow, hs_revision, run_id, valid_from FROM trade_flows_history);

INSERT INTO trade_flow_versions
SELECT p.part_id, h.period, r.id, pa.id, hs.id, c.id, h.value_usd, h.net_weight_kg, h.quantity, u.id,
       h.is_aggregate, h.source_row, h.row_hash, h.valid_to
FROM trade_flows_history h
JOIN trade_flow_parts p ON p.source = h.source AND p.source_ref = h.source_ref AND p.freq = h.freq
    AND p.flow = h.flow AND p.hs_revision IS NOT DISTINCT FROM h.hs_revision
    AND p.run_id = h.run_id AND p.valid_from = h.valid_from
JOIN trade_codes r ON r.code = h.reporter_iso3
JOIN trade_codes pa ON pa.code = h.partner_iso3
JOIN trade_codes hs ON hs.code = h.hs_code
LEFT JOIN trade_codes c ON c.code = h.commodity
LEFT JOIN trade_codes u ON u.code = h.quantity_unit
ORDER BY h.rowid;

DROP VIEW trade_flows;
DROP MACRO TABLE trade_flows_as_of;
DROP TABLE trade_flows_history;

-- Every version with its row id (rid) and ids, for the loader's merge.
CREATE VIEW trade_flow_rows AS
SELECT p.freq, v.period, r.code AS reporter_iso3, pa.code AS partner_iso3, p.flow, hs.code AS hs_code,
       p.hs_revision, c.code AS commodity, v.value_usd, v.net_weight_kg, v.quantity, u.code AS quantity_unit,
       v.is_aggregate, p.source, p.source_ref, v.source_row, p.run_id, p.valid_from, v.valid_to, v.row_hash,
       v.rowid AS rid, v.part_id, v.reporter_id, v.partner_id, v.hs_id, v.commodity_id, v.quantity_unit_id
FROM trade_flow_versions v
JOIN trade_flow_parts p ON p.part_id = v.part_id
JOIN trade_codes r ON r.id = v.reporter_id
JOIN trade_codes pa ON pa.id = v.partner_id
JOIN trade_codes hs ON hs.id = v.hs_id
LEFT JOIN trade_codes c ON c.id = v.commodity_id
LEFT JOIN trade_codes u ON u.id = v.quantity_unit_id;

CREATE VIEW trade_flows_history AS
SELECT * EXCLUDE (rid, part_id, reporter_id, partner_id, hs_id, commodity_id, quantity_unit_id) FROM trade_flow_rows;

CREATE VIEW trade_flows AS
SELECT * EXCLUDE (valid_to, row_hash) FROM trade_flows_history WHERE valid_to IS NULL;

CREATE MACRO trade_flows_as_of(ts) AS TABLE
SELECT * EXCLUDE (valid_to, row_hash) FROM trade_flows_history
WHERE valid_from <= CAST(ts AS TIMESTAMP) AND (valid_to IS NULL OR valid_to > CAST(ts AS TIMESTAMP));
