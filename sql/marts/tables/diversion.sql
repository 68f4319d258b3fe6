-- diversion, written by 50_diversion.sql; 011_measure_mart_columns.sql adds
-- the columns added since to an older warehouse's table.
CREATE TABLE IF NOT EXISTS diversion (
    measure_id                 VARCHAR NOT NULL,
    imposing_iso3              VARCHAR NOT NULL,
    source                     VARCHAR NOT NULL,
    freq                       VARCHAR NOT NULL,
    commodity                  VARCHAR,
    hs_code                    VARCHAR,  -- NULL: the measure's codes of the group together
    side                       VARCHAR NOT NULL,
    pre_from                   DATE NOT NULL, -- the windows' first periods
    post_from                  DATE NOT NULL,
    pre_periods                INTEGER,  -- periods the first leg's reporter reported in each window
    post_periods               INTEGER,
    third_iso3                 VARCHAR NOT NULL,
    pre_to_third_usd           DOUBLE,  -- imposing -> third, pre window
    post_to_third_usd          DOUBLE,
    change_to_third_usd        DOUBLE,
    pre_third_to_target_usd    DOUBLE,  -- third -> the targets, pre window
    post_third_to_target_usd   DOUBLE,
    change_third_to_target_usd DOUBLE,
    both_rose                  BOOLEAN NOT NULL,
    rank                       INTEGER, -- among both_rose and complete: 1 = the largest smaller rise of the two
    window_periods             INTEGER, -- periods in each window (the same on both sides)
    complete                   BOOLEAN  -- both legs' reporters reported the minimum of post periods
);
