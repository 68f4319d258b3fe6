-- event_windows, written by 40_event_windows.sql;
-- 011_measure_mart_columns.sql adds the columns added since to an older
-- warehouse's table.
CREATE TABLE IF NOT EXISTS event_windows (
    measure_id            VARCHAR NOT NULL,
    event                 VARCHAR NOT NULL, -- effective or end
    event_date            DATE NOT NULL,
    imposing_iso3         VARCHAR NOT NULL,
    source                VARCHAR NOT NULL, -- sources are never mixed
    commodity             VARCHAR,
    hs_code               VARCHAR,          -- NULL: the measure's codes of the group together
    freq                  VARCHAR NOT NULL,
    side                  VARCHAR NOT NULL, -- reported_exports or partner_imports
    destination           VARCHAR NOT NULL, -- target, others or world
    t                     INTEGER NOT NULL, -- months (M) or years (A) from t = 0 (see t0_period)
    period                DATE NOT NULL,
    year                  INTEGER NOT NULL,
    value_usd             DOUBLE,           -- NULL: nothing reported for the period
    weight_kg             DOUBLE,           -- positive weights only
    unit_value_usd_per_kg DOUBLE,           -- value of the rows with a weight / their weight
    value_index           DOUBLE,           -- baseline mean (t -12 ... -1, annual -3 ... -1) = 100
    weight_index          DOUBLE,
    value_index_prev      DOUBLE,           -- against the period before (t - 1) = 100
    weight_index_prev     DOUBLE,
    value_index_tm1       DOUBLE,           -- against t = -1 = 100
    weight_index_tm1      DOUBLE,
    target_share          DOUBLE,           -- target / world at t (0-1)
    baseline_value_usd    DOUBLE,
    baseline_weight_kg    DOUBLE,
    coverage_ratio        DOUBLE,           -- countries among the destinations / reported World total at t
    coverage_basis        VARCHAR           -- world_total, or partner_sum: world is the sum over destinations
);
