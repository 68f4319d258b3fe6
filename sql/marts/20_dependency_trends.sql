-- dependency_trends: how concentrated a reporter's imports are and how much
-- comes from the country of concern, over time, beside US net import
-- reliance. Built from import_shares, so it follows 10_import_shares.sql.
CREATE TABLE IF NOT EXISTS dependency_trends (
    source                  VARCHAR NOT NULL,
    freq                    VARCHAR NOT NULL,
    period                  DATE NOT NULL,
    year                    INTEGER NOT NULL,
    reporter_iso3           VARCHAR NOT NULL,
    commodity               VARCHAR,
    hs_code                 VARCHAR,  -- NULL: the whole commodity group
    total_value_usd         DOUBLE,
    n_partners              INTEGER NOT NULL, -- partners with a positive value
    top_partner_iso3        VARCHAR,
    top_share               DOUBLE,
    concern_iso3            VARCHAR NOT NULL,
    concern_share           DOUBLE,   -- 0-1
    share_change_pp         DOUBLE,   -- percentage points since the previous period
    concern_share_12m       DOUBLE,   -- trailing 12 months, monthly rows only
    hhi                     DOUBLE,   -- 0-10000
    net_import_reliance_pct DOUBLE,
    nir_qualifier           VARCHAR   -- '>' for '>95', 'E' net exporter, ...
);

-- A period's change and its trailing window read earlier periods, so a
-- changed period also changes the next 12 months (the next year for 'A').
CREATE OR REPLACE TEMP TABLE dependency_scope AS
SELECT DISTINCT s.freq,
       CAST(s.period + CASE s.freq WHEN 'M' THEN to_months(CAST(k.n AS INTEGER))
                                   ELSE to_years(CAST(k.n AS INTEGER)) END AS DATE) AS period
FROM mart_scope s
CROSS JOIN range(0, 13) AS k(n)
WHERE s.freq = 'M' OR k.n <= 1;

DELETE FROM dependency_trends
WHERE (freq, period) IN (SELECT freq, period FROM dependency_scope);

INSERT INTO dependency_trends BY NAME
WITH
concern AS (
    SELECT coalesce((SELECT value FROM settings WHERE name = 'concern_iso3'), 'CHN') AS iso3
),
-- The rebuilt periods and the history they look back on: 11 months for the
-- trailing window (which also covers the previous month), one year for 'A'.
read_periods AS (
    SELECT DISTINCT d.freq,
           CAST(d.period - CASE d.freq WHEN 'M' THEN to_months(CAST(k.n AS INTEGER))
                                       ELSE to_years(CAST(k.n AS INTEGER)) END AS DATE) AS period
    FROM dependency_scope d
    CROSS JOIN range(0, 12) AS k(n)
    WHERE d.freq = 'M' OR k.n <= 1
),
per_key AS (
    SELECT i.source, i.freq, i.period, i.reporter_iso3, i.commodity, i.hs_code,
           c.iso3 AS concern_iso3,
           any_value(i.total_value_usd) AS total_value_usd,
           count(*) FILTER (WHERE i.value_usd > 0) AS n_partners,
           any_value(i.partner_iso3) FILTER (WHERE i.rank = 1 AND i.value_usd > 0) AS top_partner_iso3,
           any_value(i.share) FILTER (WHERE i.rank = 1 AND i.value_usd > 0) AS top_share,
           bool_or(i.partner_iso3 = c.iso3) AS has_concern,
           any_value(i.share) FILTER (WHERE i.partner_iso3 = c.iso3) AS concern_row_share,
           coalesce(sum(i.value_usd) FILTER (WHERE i.partner_iso3 = c.iso3), 0) AS concern_usd,
           sum(power(i.share * 100, 2)) AS hhi
    FROM import_shares i
    CROSS JOIN concern c
    WHERE (i.freq, i.period) IN (SELECT freq, period FROM read_periods)
    GROUP BY ALL
),
-- No row for the concern country means it supplied nothing: 0, as long as
-- there is a total to be a share of.
shares AS (
    SELECT * EXCLUDE (has_concern, concern_row_share),
           CASE WHEN has_concern THEN concern_row_share
                WHEN total_value_usd > 0 THEN 0 END AS concern_share
    FROM per_key
),
-- Windows run over the periods a key has rows for; the previous row counts
-- only when it is the previous period, not an older one after a gap.
trends AS (
    SELECT *,
           CASE WHEN lag(period) OVER w = CAST(period - CASE freq WHEN 'M' THEN INTERVAL 1 MONTH
                                                                  ELSE INTERVAL 1 YEAR END AS DATE)
                THEN (concern_share - lag(concern_share) OVER w) * 100 END AS share_change_pp,
           CASE WHEN freq = 'M'
                THEN sum(concern_usd) OVER w12 / nullif(sum(total_value_usd) OVER w12, 0) END
               AS concern_share_12m
    FROM shares
    WINDOW w AS (PARTITION BY source, freq, reporter_iso3, commodity, hs_code ORDER BY period),
           w12 AS (PARTITION BY source, freq, reporter_iso3, commodity, hs_code ORDER BY period
                   RANGE BETWEEN INTERVAL 11 MONTH PRECEDING AND CURRENT ROW)
),
-- USGS publishes net import reliance for the US only. A group covering
-- several USGS commodities (gallium and germanium) takes the most reliant.
nir AS (
    SELECT cu.commodity, m.year, m.value, m.qualifier
    FROM mineral_statistics_latest m
    JOIN commodity_usgs cu ON cu.usgs_commodity = m.commodity
    WHERE m.measure = 'net_import_reliance' AND m.country_iso3 = 'USA'
    QUALIFY row_number() OVER (PARTITION BY cu.commodity, m.year
                               ORDER BY m.value DESC NULLS LAST,
                                        CASE m.qualifier WHEN '>' THEN 0 ELSE 1 END,
                                        m.commodity, m.product) = 1
)
SELECT t.* EXCLUDE (concern_usd),
       CAST(year(t.period) AS INTEGER) AS year,
       n.value AS net_import_reliance_pct,
       n.qualifier AS nir_qualifier
FROM trends t
LEFT JOIN nir n
       ON t.reporter_iso3 = 'USA' AND n.commodity = t.commodity AND n.year = year(t.period)
WHERE (t.freq, t.period) IN (SELECT freq, period FROM dependency_scope);

DROP TABLE dependency_scope;
