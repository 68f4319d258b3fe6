-- A measure's status follows its dates as of the day it is read, not the
-- day it was loaded: trade_measures becomes a view over the current
-- versions (trade_measures_current) whose status is computed on reading.
-- The status a file wrote stays in trade_measures_history.status.
CREATE TABLE trade_measures_current (
    measure_id          VARCHAR PRIMARY KEY,
    imposing_iso3       VARCHAR NOT NULL,
    target_iso3         VARCHAR[],
    measure_type        VARCHAR NOT NULL,
    commodity           VARCHAR,
    title               VARCHAR NOT NULL,
    announced_date      DATE,
    effective_date      DATE NOT NULL,
    end_date            DATE,             -- the last day the measure applies
    suspends_measure_id VARCHAR,
    citation            VARCHAR NOT NULL,
    unsourced           VARCHAR,
    origin              VARCHAR NOT NULL,
    valid_from          TIMESTAMP NOT NULL
);
INSERT INTO trade_measures_current BY NAME SELECT * EXCLUDE (status) FROM trade_measures;
DROP TABLE trade_measures;

-- The day a status is read on: the warehouse clock when the program set
-- one (tradewh_today), else today in UTC.
CREATE MACRO measures_today() AS
    coalesce(TRY_CAST(getvariable('tradewh_today') AS DATE), CAST(timezone('UTC', current_timestamp) AS DATE));

-- A measure on day d: announced before its effective date, ended after its
-- end date or once a lifting of it is in force, suspended while a
-- suspension of it is in force (from its effective date to its end date),
-- else in force. A suspension that has ended leaves the measure in force
-- again: it paused the measure, it did not end it.
CREATE MACRO measure_status(d, effective, ends, lifted, suspended) AS
    CASE WHEN d < effective THEN 'announced'
         WHEN d > ends OR lifted THEN 'ended'
         WHEN suspended THEN 'suspended'
         ELSE 'in_force' END;

-- The current measures with their status on day d.
CREATE MACRO trade_measures_on(d) AS TABLE
SELECT m.measure_id, m.imposing_iso3, m.target_iso3, m.measure_type, m.commodity, m.title,
       m.announced_date, m.effective_date, m.end_date,
       measure_status(CAST(d AS DATE), m.effective_date, m.end_date,
           EXISTS (SELECT 1 FROM trade_measures_current l WHERE l.suspends_measure_id = m.measure_id
                   AND l.measure_type = 'lifting' AND l.effective_date <= CAST(d AS DATE)),
           EXISTS (SELECT 1 FROM trade_measures_current s WHERE s.suspends_measure_id = m.measure_id
                   AND s.measure_type = 'suspension' AND s.effective_date <= CAST(d AS DATE)
                   AND (s.end_date IS NULL OR s.end_date >= CAST(d AS DATE)))) AS status,
       m.suspends_measure_id, m.citation, m.unsourced, m.origin, m.valid_from
FROM trade_measures_current m;

CREATE VIEW trade_measures AS SELECT * FROM trade_measures_on(measures_today());

-- The versions known at ts, with their status on the day of ts.
CREATE OR REPLACE MACRO trade_measures_as_of(ts) AS TABLE
WITH v AS (
    SELECT * EXCLUDE (valid_to, content_hash) FROM trade_measures_history
    WHERE valid_from <= CAST(ts AS TIMESTAMP) AND (valid_to IS NULL OR valid_to > CAST(ts AS TIMESTAMP))
)
SELECT m.* REPLACE (measure_status(CAST(CAST(ts AS TIMESTAMP) AS DATE), m.effective_date, m.end_date,
           EXISTS (SELECT 1 FROM v l WHERE l.suspends_measure_id = m.measure_id
                   AND l.measure_type = 'lifting' AND l.effective_date <= CAST(CAST(ts AS TIMESTAMP) AS DATE)),
           EXISTS (SELECT 1 FROM v s WHERE s.suspends_measure_id = m.measure_id
                   AND s.measure_type = 'suspension' AND s.effective_date <= CAST(CAST(ts AS TIMESTAMP) AS DATE)
                   AND (s.end_date IS NULL OR s.end_date >= CAST(CAST(ts AS TIMESTAMP) AS DATE)))) AS status)
FROM v m;
