-- import_shares, written by 10_import_shares.sql; migration 006 also makes it
-- part of every new warehouse. Columns added after its first release come
-- last, in the order 008_mart_columns.sql adds them to older warehouses.
CREATE TABLE IF NOT EXISTS import_shares (
    source           VARCHAR NOT NULL,
    freq             VARCHAR NOT NULL,
    period           DATE NOT NULL,
    year             INTEGER NOT NULL,
    reporter_iso3    VARCHAR NOT NULL,
    commodity        VARCHAR,
    hs_code          VARCHAR,          -- NULL: the whole commodity group
    partner_iso3     VARCHAR NOT NULL,
    value_usd        DOUBLE,
    total_value_usd  DOUBLE,
    total_basis      VARCHAR NOT NULL, -- reported_world or sum_of_partners
    share            DOUBLE,           -- 0-1, NULL when the total is 0 or unknown
    rank             INTEGER,          -- 1 = largest country; NULL for areas and no_partner_rows
    coverage_ratio   DOUBLE,           -- country partners / reported World total
    coverage_basis   VARCHAR,          -- world_total or partner_sum
    is_area          BOOLEAN,          -- the partner is an area or group, not a country
    no_partner_rows  BOOLEAN,          -- written for a World total without partner rows
    hs_revision      VARCHAR,          -- HS revision(s) the period was reported in
    hs_revision_note VARCHAR           -- the code's meaning changed between HS revisions
);
