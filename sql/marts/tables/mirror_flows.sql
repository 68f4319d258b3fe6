-- mirror_flows, written by 30_mirror_flows.sql; migration 006 also makes it
-- part of every new warehouse. Columns added after its first release come
-- last, in the order 008_mart_columns.sql adds them to older warehouses.
CREATE TABLE IF NOT EXISTS mirror_flows (
    source           VARCHAR NOT NULL,
    freq             VARCHAR NOT NULL,
    period           DATE NOT NULL,
    year             INTEGER NOT NULL,
    commodity        VARCHAR,
    hs_code          VARCHAR NOT NULL,
    importer_iso3    VARCHAR NOT NULL,
    exporter_iso3    VARCHAR NOT NULL,
    import_value_usd DOUBLE,  -- reported by the importer
    export_value_usd DOUBLE,  -- reported by the exporter
    gap_usd          DOUBLE,  -- import - export; NULL when a side is missing
    gap_pct          DOUBLE   -- gap / import
);
