-- diversion_replacements, written by 50_diversion.sql;
-- 011_measure_mart_columns.sql adds the columns added since to an older
-- warehouse's table.
CREATE TABLE IF NOT EXISTS diversion_replacements (
    measure_id             VARCHAR NOT NULL,
    imposing_iso3          VARCHAR NOT NULL,
    source                 VARCHAR NOT NULL,
    freq                   VARCHAR NOT NULL,
    commodity              VARCHAR,
    hs_code                VARCHAR,
    side                   VARCHAR NOT NULL,
    importer_iso3          VARCHAR NOT NULL,
    pre_from_imposing_usd  DOUBLE,
    post_from_imposing_usd DOUBLE,
    fall_from_imposing_usd DOUBLE,  -- pre - post, positive
    supplier_iso3          VARCHAR, -- NULL: no supplier's sales rose
    pre_usd                DOUBLE,
    post_usd               DOUBLE,
    rise_usd               DOUBLE,  -- post - pre, positive
    rank                   INTEGER, -- 1 = the largest rise, when complete
    window_periods         INTEGER, -- periods in each window (the same on both sides)
    pre_periods            INTEGER, -- periods the importer's leg's reporter reported in each window
    post_periods           INTEGER,
    complete               BOOLEAN  -- post_periods reach the minimum
);
