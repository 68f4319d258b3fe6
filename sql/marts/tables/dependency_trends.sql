-- dependency_trends, written by 20_dependency_trends.sql; migration 006 also
-- makes it part of every new warehouse. Columns added after its first
-- release come last, in the order 008_mart_columns.sql adds them to older
-- warehouses.
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
