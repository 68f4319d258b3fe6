-- supplier_alternatives, written by 60_supplier_alternatives.sql.
CREATE TABLE IF NOT EXISTS supplier_alternatives (
    source                  VARCHAR NOT NULL,
    reporter_iso3           VARCHAR NOT NULL,
    commodity               VARCHAR NOT NULL,
    hs_code                 VARCHAR,  -- NULL: the whole group
    year                    INTEGER NOT NULL,
    concern_iso3            VARCHAR NOT NULL,
    concern_share           DOUBLE,   -- the concern country's share this year (0-1)
    supplier_iso3           VARCHAR NOT NULL,
    value_usd               DOUBLE,   -- the importer's imports from it
    share                   DOUBLE,   -- 0-1; 0 when it supplied nothing
    share_3y_earlier        DOUBLE,
    world_export_value_usd  DOUBLE,   -- its exports to the world, from all importers' reports
    world_export_share      DOUBLE,
    world_export_source     VARCHAR,  -- the source with the most reporting importers that year
    world_export_reporters  INTEGER,
    unit_value_usd_per_kg   DOUBLE,   -- the importer's imports from it
    unit_value_ratio        DOUBLE,   -- against the importer's average over all suppliers
    usgs_commodity          VARCHAR,
    production_year         INTEGER,  -- latest USGS year up to year
    mine_production         DOUBLE,
    refinery_production     DOUBLE,   -- refinery, smelter, primary or plant production
    production_unit         VARCHAR,
    production_share        DOUBLE,   -- of the USGS world total (0-1)
    production_rank         INTEGER,  -- rank in the USGS world table (mine, else refinery)
    reserves                DOUBLE,
    reserves_unit           VARCHAR,
    restricted              BOOLEAN NOT NULL,
    restricting_measures    VARCHAR,
    hhi                     DOUBLE,   -- the importer's HHI now (0-10000); NULL when coverage is partial
    hhi_if_replaces_concern DOUBLE,
    score                   DOUBLE,
    rank                    INTEGER NOT NULL
);
