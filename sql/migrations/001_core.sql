-- Fact tables keep every version of a row: the current one has valid_to
-- NULL; a revision closes the old version (valid_to) and opens a new one.
CREATE TABLE trade_flows_history (
    freq          VARCHAR NOT NULL,
    period        DATE NOT NULL,
    reporter_iso3 VARCHAR NOT NULL,
    partner_iso3  VARCHAR NOT NULL,
    flow          VARCHAR NOT NULL,
    hs_code       VARCHAR NOT NULL,
    hs_revision   VARCHAR,
    commodity     VARCHAR,
    value_usd     DOUBLE,
    net_weight_kg DOUBLE,
    quantity      DOUBLE,
    quantity_unit VARCHAR,
    is_aggregate  BOOLEAN NOT NULL,
    source        VARCHAR NOT NULL,
    source_ref    VARCHAR NOT NULL,
    source_row    BIGINT NOT NULL,
    run_id        BIGINT NOT NULL,
    valid_from    TIMESTAMP NOT NULL,
    valid_to      TIMESTAMP
);

CREATE TABLE mineral_statistics_history (
    edition       VARCHAR NOT NULL,
    commodity     VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    country_iso3  VARCHAR NOT NULL,
    measure       VARCHAR NOT NULL,
    product       VARCHAR NOT NULL,
    value         DOUBLE,
    unit          VARCHAR NOT NULL,
    qualifier     VARCHAR,
    source        VARCHAR NOT NULL,
    source_ref    VARCHAR NOT NULL,
    source_row    BIGINT NOT NULL,
    source_column VARCHAR NOT NULL,
    run_id        BIGINT NOT NULL,
    valid_from    TIMESTAMP NOT NULL,
    valid_to      TIMESTAMP
);

-- Current values: what analysts query.
CREATE VIEW trade_flows AS
SELECT * EXCLUDE (valid_to) FROM trade_flows_history WHERE valid_to IS NULL;

CREATE VIEW mineral_statistics AS
SELECT * EXCLUDE (valid_to) FROM mineral_statistics_history WHERE valid_to IS NULL;

-- What we knew at a point in time.
CREATE MACRO trade_flows_as_of(ts) AS TABLE
SELECT * EXCLUDE (valid_to) FROM trade_flows_history
WHERE valid_from <= CAST(ts AS TIMESTAMP) AND (valid_to IS NULL OR valid_to > CAST(ts AS TIMESTAMP));

CREATE MACRO mineral_statistics_as_of(ts) AS TABLE
SELECT * EXCLUDE (valid_to) FROM mineral_statistics_history
WHERE valid_from <= CAST(ts AS TIMESTAMP) AND (valid_to IS NULL OR valid_to > CAST(ts AS TIMESTAMP));

-- The newest edition's figure for each statistic (USGS revises earlier
-- years in later editions; both editions stay in mineral_statistics).
CREATE VIEW mineral_statistics_latest AS
SELECT * FROM mineral_statistics
QUALIFY row_number() OVER (PARTITION BY commodity, year, country_iso3, measure, product, unit
                           ORDER BY edition DESC) = 1;

CREATE TABLE rejected_rows (
    run_id      BIGINT NOT NULL,
    rejected_at TIMESTAMP NOT NULL,
    target      VARCHAR NOT NULL, -- trade_flows or mineral_statistics
    source      VARCHAR NOT NULL,
    source_ref  VARCHAR NOT NULL, -- file or request (no secrets)
    source_row  BIGINT NOT NULL,  -- 1-based data row
    source_column VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    raw         VARCHAR
);

CREATE SEQUENCE etl_run_id START 1;

CREATE TABLE etl_runs (
    run_id       BIGINT PRIMARY KEY,
    job          VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP,
    status       VARCHAR NOT NULL, -- running, ok, failed, cancelled, skipped
    rows_in      BIGINT NOT NULL DEFAULT 0,
    rows_loaded  BIGINT NOT NULL DEFAULT 0, -- new or revised
    rows_unchanged BIGINT NOT NULL DEFAULT 0,
    rows_rejected  BIGINT NOT NULL DEFAULT 0,
    error        VARCHAR
);

-- Per-job state the scheduler and incremental runs persist.
CREATE TABLE job_state (
    job              VARCHAR PRIMARY KEY,
    last_scheduled_at TIMESTAMP,
    last_success_at  TIMESTAMP,
    cursor           VARCHAR,
    updated_at       TIMESTAMP NOT NULL
);

-- Reference data, written by the project (refreshed on every open).
CREATE TABLE countries (
    iso3    VARCHAR PRIMARY KEY,
    iso2    VARCHAR,
    m49     INTEGER,
    census_code VARCHAR,
    name    VARCHAR NOT NULL,
    is_area BOOLEAN NOT NULL
);

CREATE TABLE commodity_groups (
    commodity VARCHAR PRIMARY KEY,
    name      VARCHAR NOT NULL
);

CREATE TABLE commodity_codes (
    commodity   VARCHAR NOT NULL,
    hs_code     VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    hs_revisions VARCHAR NOT NULL,
    note        VARCHAR,
    PRIMARY KEY (commodity, hs_code)
);

CREATE TABLE commodity_usgs (
    commodity      VARCHAR NOT NULL, -- group slug
    usgs_commodity VARCHAR NOT NULL  -- mineral_statistics.commodity
);

CREATE TABLE settings (
    name  VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
-- Its rows, the mart settings, are written with their defaults (declared in
-- sql/settings.go) whenever a warehouse is opened for writing.
