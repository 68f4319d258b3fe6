-- Trade measures (export controls, bans, quotas, export taxes and their
-- suspensions) as data. Every version of a measure is kept: a changed
-- measure closes its old version (valid_to) like the fact tables do. The
-- project's curated default (origin 'default') is refreshed on every
-- writable open; a user's file (origin: the file) adds measures or
-- overrides a default of the same id, and the default then leaves it be.
CREATE TABLE trade_measures_history (
    measure_id          VARCHAR NOT NULL,
    imposing_iso3       VARCHAR NOT NULL,
    target_iso3         VARCHAR[],          -- NULL: every destination
    measure_type        VARCHAR NOT NULL,   -- licensing, ban, quota, export_tax, suspension, lifting
    commodity           VARCHAR,            -- group slug(s), comma-separated
    title               VARCHAR NOT NULL,
    announced_date      DATE,
    effective_date      DATE NOT NULL,
    end_date            DATE,
    status              VARCHAR NOT NULL,   -- in_force, suspended, ended, announced
    suspends_measure_id VARCHAR,
    citation            VARCHAR NOT NULL,
    unsourced           VARCHAR,            -- fields no public source gave (comma-separated)
    codes               STRUCT(hs_code VARCHAR, hs_revision VARCHAR)[] NOT NULL,
    origin              VARCHAR NOT NULL,   -- 'default' or the user's file
    source_row          BIGINT NOT NULL,    -- line of the measure in origin
    content_hash        VARCHAR NOT NULL,
    run_id              BIGINT,             -- NULL for the default
    valid_from          TIMESTAMP NOT NULL,
    valid_to            TIMESTAMP
);

-- Current measures and the HS codes each covers, rewritten from the
-- current versions whenever a measure changes.
CREATE TABLE trade_measures (
    measure_id          VARCHAR PRIMARY KEY,
    imposing_iso3       VARCHAR NOT NULL,
    target_iso3         VARCHAR[],
    measure_type        VARCHAR NOT NULL,
    commodity           VARCHAR,
    title               VARCHAR NOT NULL,
    announced_date      DATE,
    effective_date      DATE NOT NULL,
    end_date            DATE,
    status              VARCHAR NOT NULL,
    suspends_measure_id VARCHAR,
    citation            VARCHAR NOT NULL,
    unsourced           VARCHAR,
    origin              VARCHAR NOT NULL,
    valid_from          TIMESTAMP NOT NULL
);

CREATE TABLE trade_measure_codes (
    measure_id  VARCHAR NOT NULL,
    hs_code     VARCHAR NOT NULL,
    hs_revision VARCHAR,  -- the HS revision of the measure's text; flows match on the code
    PRIMARY KEY (measure_id, hs_code)
);

CREATE MACRO trade_measures_as_of(ts) AS TABLE
SELECT * EXCLUDE (valid_to, content_hash) FROM trade_measures_history
WHERE valid_from <= CAST(ts AS TIMESTAMP) AND (valid_to IS NULL OR valid_to > CAST(ts AS TIMESTAMP));

-- The lengths of the event windows (event_windows, diversion) and the
-- candidates of supplier_alternatives are mart settings: their defaults are
-- declared in sql/settings.go and written whenever a warehouse is opened
-- for writing.
