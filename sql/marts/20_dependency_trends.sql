-- dependency_trends: how concentrated a reporter's imports are and how much
-- comes from the country of concern, over time, beside US net import
-- reliance.
--
-- Writes:   dependency_trends (tables/dependency_trends.sql)
-- Reads:    import_shares (so it follows 10_import_shares.sql),
--           mineral_statistics_latest, commodity_usgs
-- Scope:    the periods in mart_scope and those whose change or trailing
--           window reads them: the next 12 months, the next year for 'A'
-- Settings: concern_iso3, min_coverage, hhi_highly_concentrated,
--           hhi_moderately_concentrated, single_supplier_share

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
-- Settings (rows of the settings table, every one written with its
-- default, see sql/settings.go): a value that is not a number stops the
-- rebuild.
setting AS (
    SELECT name, CASE WHEN TRY_CAST(value AS DOUBLE) IS NULL
                      THEN error('settings: ' || name || ' = ''' || value || ''' is not a number')
                      ELSE CAST(value AS DOUBLE) END AS value
    FROM settings
    WHERE name IN ('min_coverage', 'hhi_highly_concentrated', 'hhi_moderately_concentrated', 'single_supplier_share')
),
params AS (
    SELECT (SELECT value FROM settings WHERE name = 'concern_iso3') AS concern_iso3,
           (SELECT value FROM setting WHERE name = 'min_coverage') AS min_coverage,
           (SELECT value FROM setting WHERE name = 'hhi_highly_concentrated') AS hhi_high,
           (SELECT value FROM setting WHERE name = 'hhi_moderately_concentrated') AS hhi_moderate,
           (SELECT value FROM setting WHERE name = 'single_supplier_share') AS single_share
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
-- Areas are not partners: they count in the total and in coverage's
-- denominator, never in n_partners, the top partner or the HHI.
per_key AS (
    SELECT i.source, i.freq, i.period, i.reporter_iso3, i.commodity, i.hs_code,
           p.concern_iso3,
           any_value(i.total_value_usd) AS total_value_usd,
           any_value(i.coverage_ratio) AS coverage_ratio,
           any_value(i.coverage_basis) AS coverage_basis,
           any_value(i.hs_revision) AS hs_revision,
           any_value(i.hs_revision_note) AS hs_revision_note,
           count(*) FILTER (WHERE i.value_usd > 0 AND NOT i.is_area) AS n_countries,
           any_value(i.partner_iso3) FILTER (WHERE i.rank = 1 AND i.value_usd > 0) AS top_iso3,
           any_value(i.share) FILTER (WHERE i.rank = 1 AND i.value_usd > 0) AS top_share_all,
           bool_or(i.partner_iso3 = p.concern_iso3) AS has_concern,
           any_value(i.share) FILTER (WHERE i.partner_iso3 = p.concern_iso3) AS concern_row_share,
           coalesce(sum(i.value_usd) FILTER (WHERE i.partner_iso3 = p.concern_iso3), 0) AS concern_usd,
           sum(power(i.share * 100, 2)) FILTER (WHERE NOT i.is_area) AS hhi_all
    FROM import_shares i
    CROSS JOIN params p
    WHERE (i.freq, i.period) IN (SELECT freq, period FROM read_periods)
    GROUP BY ALL
),
-- Coverage: 'full' when the countries among the partners account for at
-- least min_coverage of the reported World total, 'partial' below, and
-- 'no_world_total' when the denominator is the partners' own sum.
flagged AS (
    SELECT k.*,
           CASE WHEN k.coverage_basis = 'partner_sum' THEN 'no_world_total'
                WHEN k.coverage_ratio >= p.min_coverage THEN 'full'
                ELSE 'partial' END AS coverage_flag,
           p.hhi_high, p.hhi_moderate, p.single_share
    FROM per_key k
    CROSS JOIN params p
),
-- No row for the concern country means it supplied nothing: 0, as long as
-- there is a total to be a share of. Under partial coverage the partners
-- not pulled are unknown, so the count, HHI and band are too; the top
-- partner stands only when its share exceeds all that is not covered, and
-- a single supplier is known when one holds more than the threshold.
shares AS (
    SELECT * EXCLUDE (has_concern, concern_row_share, n_countries, top_iso3, top_share_all, hhi_all,
                      hhi_high, hhi_moderate, single_share),
           CASE WHEN has_concern THEN concern_row_share
                WHEN total_value_usd > 0 THEN 0 END AS concern_share,
           CASE WHEN coverage_flag <> 'partial' THEN n_countries END AS n_partners,
           CASE WHEN coverage_flag <> 'partial' OR top_share_all > 1 - coverage_ratio THEN top_iso3 END
               AS top_partner_iso3,
           CASE WHEN coverage_flag <> 'partial' OR top_share_all > 1 - coverage_ratio THEN top_share_all END
               AS top_share,
           CASE WHEN coverage_flag <> 'partial' THEN hhi_all END AS hhi,
           CASE WHEN coverage_flag = 'partial' OR hhi_all IS NULL THEN NULL
                WHEN hhi_all > hhi_high THEN 'highly_concentrated'
                WHEN hhi_all >= hhi_moderate THEN 'moderately_concentrated'
                ELSE 'unconcentrated' END AS hhi_band,
           CASE WHEN top_share_all > single_share THEN true
                WHEN NOT total_value_usd > 0 THEN NULL
                WHEN coverage_flag = 'partial' AND 1 - coalesce(coverage_ratio, 0) > single_share THEN NULL
                ELSE false END AS single_supplier
    FROM flagged
),
-- Windows run over the periods a key has rows for; the previous row counts
-- only when it is the previous period, not an older one after a gap.
trends AS (
    SELECT *,
           CASE WHEN lag(period) OVER w = CAST(period - CASE freq WHEN 'M' THEN INTERVAL 1 MONTH
                                                                  ELSE INTERVAL 1 YEAR END AS DATE)
                THEN (concern_share - lag(concern_share) OVER w) * 100 END AS share_change_pp,
           CASE WHEN lag(period) OVER w = CAST(period - CASE freq WHEN 'M' THEN INTERVAL 1 MONTH
                                                                  ELSE INTERVAL 1 YEAR END AS DATE)
                THEN hs_revision <> lag(hs_revision) OVER w END AS hs_revision_changed,
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
