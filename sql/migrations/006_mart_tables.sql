-- The mart tables exist from the start, empty until the first rebuild, so
-- a warehouse loaded with --no-marts (or not loaded at all) can be queried
-- and exported with the marts' columns. The mart scripts in sql/marts
-- create the same tables IF NOT EXISTS; keep both definitions alike.
-- Columns added after a table's first release come last, in the order
-- 008_mart_columns.sql adds them to older warehouses.
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

CREATE TABLE IF NOT EXISTS dependency_trends (
    source                  VARCHAR NOT NULL,
    freq                    VARCHAR NOT NULL,
    period                  DATE NOT NULL,
    year                    INTEGER NOT NULL,
    reporter_iso3           VARCHAR NOT NULL,
    commodity               VARCHAR,
    hs_code                 VARCHAR,  -- NULL: the whole commodity group
    total_value_usd         DOUBLE,
    n_partners              INTEGER,  -- countries with a positive value; NULL when coverage is partial
    top_partner_iso3        VARCHAR,
    top_share               DOUBLE,
    concern_iso3            VARCHAR NOT NULL,
    concern_share           DOUBLE,   -- 0-1
    share_change_pp         DOUBLE,   -- percentage points since the previous period
    concern_share_12m       DOUBLE,   -- trailing 12 months, monthly rows only
    hhi                     DOUBLE,   -- 0-10000, countries only; NULL when coverage is partial
    net_import_reliance_pct DOUBLE,
    nir_qualifier           VARCHAR,  -- '>' for '>95', 'E' net exporter, ...
    coverage_ratio          DOUBLE,   -- country partners / reported World total
    coverage_basis          VARCHAR,  -- world_total or partner_sum
    coverage_flag           VARCHAR,  -- full, partial or no_world_total
    hhi_band                VARCHAR,  -- highly_concentrated, moderately_concentrated, unconcentrated
    single_supplier         BOOLEAN,  -- one country holds more than single_supplier_share
    hs_revision             VARCHAR,
    hs_revision_changed     BOOLEAN,  -- the HS revision differs from the previous period's
    hs_revision_note        VARCHAR
);

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

-- The marts' thresholds (min_coverage, the HHI bands, single_supplier_share)
-- were first written here; their defaults are declared in sql/settings.go and
-- written whenever a warehouse is opened for writing.
