-- diversion: where the trade went after a measure. For a measure with
-- target countries, every third country's change between the pre and post
-- windows in the imposing country's flows to it and in its own flows to
-- the targets; the countries where both rose are the candidates for
-- re-routing or transshipment. diversion_replacements: for every
-- measure, the importers whose imports from the imposing country fell and
-- the suppliers whose sales to them rose. Each side of the mirror is read
-- on its own: 'reported_exports' takes both legs from the exporters'
-- reports, 'partner_imports' from the importers'.
--
-- Writes:   diversion, diversion_replacements (tables/diversion.sql,
--           tables/diversion_replacements.sql), measure_marts_state
-- Reads:    trade_flows, trade_measures, trade_measure_codes; from
--           40_event_windows.sql, t0_period, measure_marts_now and
--           measure_marts_rebuild
-- Scope:    whole, when event_windows is (see measure_marts_state there)
-- Settings: diversion_months, diversion_years, diversion_min_post_months,
--           diversion_min_post_years
--
-- Like is compared with like: the post window runs from t = 0 (see
-- t0_period in 40_event_windows.sql) for n periods and the pre window as
-- many just before it, both cut to the same length where the source's
-- data end or begin. A
-- comparison whose post window holds fewer reported periods than the
-- minimum (diversion_min_post_months, _years) is incomplete: shown, never
-- ranked.

DELETE FROM diversion WHERE (SELECT rebuild FROM measure_marts_rebuild);
DELETE FROM diversion_replacements WHERE (SELECT rebuild FROM measure_marts_rebuild);

CREATE OR REPLACE TEMP TABLE diversion_legs AS
WITH
cfg AS (
    SELECT (SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'diversion_months') AS n_m,
           (SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'diversion_years') AS n_y
),
flows AS (
    SELECT source, freq, period, reporter_iso3, partner_iso3, flow, hs_code,
           max(commodity) AS commodity, sum(value_usd) AS value_usd
    FROM trade_flows
    WHERE flow IN ('import', 'export')
      AND hs_code IN (SELECT hs_code FROM trade_measure_codes)
      AND reporter_iso3 <> 'WLD' AND partner_iso3 <> 'WLD'
    GROUP BY ALL
),
-- Post: t 0 ... n-1 months (years), pre: t -n ... -1, both cut to the
-- same length where the source's periods of the measures' codes end or
-- begin.
windows AS (
    SELECT m.measure_id, m.imposing_iso3, m.target_iso3, e.source, e.freq, w.n,
           CAST(w.t0 - to_months(w.n * w.step) AS DATE) AS pre_from,
           w.t0 AS post_from,
           CAST(w.t0 + to_months(w.n * w.step) AS DATE) AS post_to
    FROM trade_measures m
    JOIN (SELECT source, freq, min(period) AS first_period, max(period) AS last_period FROM flows GROUP BY ALL) e ON true
    CROSS JOIN cfg
    CROSS JOIN LATERAL (
        SELECT t0, step, CAST(least(greatest(datediff('month', t0, e.last_period) // step + 1, 0),
                                    greatest(datediff('month', e.first_period, t0) // step, 0),
                                    CASE e.freq WHEN 'M' THEN cfg.n_m ELSE cfg.n_y END) AS INTEGER) AS n
        FROM (SELECT t0_period(m.effective_date, CASE e.freq WHEN 'M' THEN 'month' ELSE 'year' END) AS t0,
                     CASE e.freq WHEN 'M' THEN 1 ELSE 12 END AS step)
    ) w
    WHERE (SELECT rebuild FROM measure_marts_rebuild) AND w.n > 0
),
-- Every flow of a measure's codes in its windows, as exporter -> importer
-- on one side of the mirror.
code_rows AS (
    SELECT w.measure_id, w.imposing_iso3, w.target_iso3, w.pre_from, w.post_from, w.n AS window_periods,
           f.source, f.freq, f.hs_code, f.commodity, f.period,
           CASE f.flow WHEN 'export' THEN 'reported_exports' ELSE 'partner_imports' END AS side,
           f.reporter_iso3 AS reporter,
           CASE f.flow WHEN 'export' THEN f.reporter_iso3 ELSE f.partner_iso3 END AS exporter,
           CASE f.flow WHEN 'export' THEN f.partner_iso3 ELSE f.reporter_iso3 END AS importer,
           f.period >= w.post_from AS post, f.value_usd
    FROM windows w
    JOIN trade_measure_codes c USING (measure_id)
    JOIN flows f ON f.hs_code = c.hs_code AND f.freq = w.freq AND f.source = w.source
    WHERE f.period >= w.pre_from AND f.period < w.post_to
),
-- The group: codes of a commodity group together, a code dropped where the
-- same exporter and importer have a valued, more aggregate code.
group_rows AS (
    SELECT g.* REPLACE (CAST(NULL AS VARCHAR) AS hs_code)
    FROM code_rows g
    WHERE g.commodity IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM code_rows a
          WHERE a.measure_id = g.measure_id AND a.source = g.source AND a.freq = g.freq AND a.period = g.period
            AND a.side = g.side AND a.exporter = g.exporter AND a.importer = g.importer
            AND a.commodity = g.commodity AND a.value_usd IS NOT NULL
            AND length(a.hs_code) < length(g.hs_code) AND starts_with(g.hs_code, a.hs_code))
)
SELECT measure_id, imposing_iso3, target_iso3, pre_from, post_from, window_periods, source, freq, commodity, hs_code, side,
       reporter, exporter, importer,
       sum(value_usd) FILTER (WHERE NOT post) AS pre_usd,
       sum(value_usd) FILTER (WHERE post) AS post_usd,
       count(*) FILTER (WHERE NOT post) > 0 AS pre_rows,
       count(*) FILTER (WHERE post) > 0 AS post_rows,
       count(DISTINCT period) FILTER (WHERE NOT post) AS pre_periods,
       count(DISTINCT period) FILTER (WHERE post) AS post_periods
FROM (SELECT * FROM code_rows UNION ALL SELECT * FROM group_rows)
GROUP BY ALL;

-- Which reporters reported anything in each window: a flow missing from a
-- reporter that reported others is 0, from a silent reporter unknown.
CREATE OR REPLACE TEMP TABLE diversion_cover AS
SELECT measure_id, source, freq, commodity, hs_code, side, reporter,
       bool_or(pre_rows) AS pre_rows, bool_or(post_rows) AS post_rows,
       max(pre_periods) AS pre_periods, max(post_periods) AS post_periods
FROM diversion_legs
GROUP BY ALL;

-- The minimum of post periods a complete comparison's reporters reported
-- (at most the window: a window the data cut short is never complete).
CREATE OR REPLACE TEMP TABLE diversion_min AS
SELECT 'M' AS freq, least((SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'diversion_min_post_months'),
                          (SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'diversion_months')) AS min_post
UNION ALL
SELECT 'A', least((SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'diversion_min_post_years'),
                  (SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'diversion_years'));

INSERT INTO diversion BY NAME
WITH
legs AS (
    SELECT l.*,
           coalesce(l.pre_usd, 0) AS pre_v, coalesce(l.post_usd, 0) AS post_v
    FROM diversion_legs l
    WHERE l.target_iso3 IS NOT NULL
),
-- imposing -> third, and third -> the targets, per third country.
to_third AS (
    SELECT measure_id, imposing_iso3, target_iso3, pre_from, post_from, window_periods, source, freq, commodity, hs_code, side,
           importer AS third_iso3, sum(pre_v) AS pre_usd, sum(post_v) AS post_usd
    FROM legs
    WHERE exporter = imposing_iso3 AND importer <> imposing_iso3 AND NOT list_contains(target_iso3, importer)
    GROUP BY ALL
),
third_to_target AS (
    SELECT measure_id, source, freq, commodity, hs_code, side, exporter AS third_iso3,
           sum(pre_v) AS pre_usd, sum(post_v) AS post_usd
    FROM legs
    WHERE list_contains(target_iso3, importer) AND exporter <> imposing_iso3 AND NOT list_contains(target_iso3, exporter)
    GROUP BY ALL
),
thirds AS (
    SELECT measure_id, imposing_iso3, target_iso3, pre_from, post_from, window_periods, source, freq, commodity, hs_code, side, third_iso3
    FROM to_third
    UNION
    SELECT DISTINCT l.measure_id, l.imposing_iso3, l.target_iso3, l.pre_from, l.post_from, l.window_periods, l.source, l.freq,
           l.commodity, l.hs_code, l.side, b.third_iso3
    FROM third_to_target b
    JOIN legs l ON l.measure_id = b.measure_id AND l.source = b.source AND l.freq = b.freq AND l.side = b.side
        AND l.commodity IS NOT DISTINCT FROM b.commodity AND l.hs_code IS NOT DISTINCT FROM b.hs_code
),
-- A leg is known in a window when its reporter reported in it: the
-- imposing country (its exports) or the third country (its imports) for
-- the first leg; the third country (its exports) or a target (its
-- imports) for the second.
known AS (
    SELECT t.*,
           bool_or(cv1.pre_rows) AS l1_pre, bool_or(cv1.post_rows) AS l1_post,
           max(cv1.pre_periods) AS pre_periods, max(cv1.post_periods) AS post_periods,
           bool_or(cv2.pre_rows) AS l2_pre, bool_or(cv2.post_rows) AS l2_post,
           max(cv2.post_periods) AS l2_post_periods
    FROM thirds t
    LEFT JOIN diversion_cover cv1 ON cv1.measure_id = t.measure_id AND cv1.source = t.source AND cv1.freq = t.freq
        AND cv1.side = t.side AND cv1.commodity IS NOT DISTINCT FROM t.commodity AND cv1.hs_code IS NOT DISTINCT FROM t.hs_code
        AND cv1.reporter = CASE t.side WHEN 'reported_exports' THEN t.imposing_iso3 ELSE t.third_iso3 END
    LEFT JOIN diversion_cover cv2 ON cv2.measure_id = t.measure_id AND cv2.source = t.source AND cv2.freq = t.freq
        AND cv2.side = t.side AND cv2.commodity IS NOT DISTINCT FROM t.commodity AND cv2.hs_code IS NOT DISTINCT FROM t.hs_code
        AND (CASE t.side WHEN 'reported_exports' THEN cv2.reporter = t.third_iso3 ELSE list_contains(t.target_iso3, cv2.reporter) END)
    GROUP BY ALL
),
joined AS (
    SELECT k.measure_id, k.imposing_iso3, k.source, k.freq, k.commodity, k.hs_code, k.side, k.pre_from, k.post_from,
           k.third_iso3, k.pre_periods, k.post_periods, k.window_periods,
           coalesce(k.post_periods >= mn.min_post AND k.l2_post_periods >= mn.min_post, false) AS complete,
           CASE WHEN k.l1_pre THEN coalesce(a.pre_usd, 0) END AS pre_to_third_usd,
           CASE WHEN k.l1_post THEN coalesce(a.post_usd, 0) END AS post_to_third_usd,
           CASE WHEN k.l2_pre THEN coalesce(b.pre_usd, 0) END AS pre_third_to_target_usd,
           CASE WHEN k.l2_post THEN coalesce(b.post_usd, 0) END AS post_third_to_target_usd
    FROM known k
    JOIN diversion_min mn ON mn.freq = k.freq
    LEFT JOIN to_third a ON a.measure_id = k.measure_id AND a.source = k.source AND a.freq = k.freq AND a.side = k.side
        AND a.commodity IS NOT DISTINCT FROM k.commodity AND a.hs_code IS NOT DISTINCT FROM k.hs_code AND a.third_iso3 = k.third_iso3
    LEFT JOIN third_to_target b ON b.measure_id = k.measure_id AND b.source = k.source AND b.freq = k.freq AND b.side = k.side
        AND b.commodity IS NOT DISTINCT FROM k.commodity AND b.hs_code IS NOT DISTINCT FROM k.hs_code AND b.third_iso3 = k.third_iso3
),
changes AS (
    SELECT *,
           post_to_third_usd - pre_to_third_usd AS change_to_third_usd,
           post_third_to_target_usd - pre_third_to_target_usd AS change_third_to_target_usd,
           coalesce(post_to_third_usd - pre_to_third_usd > 0
                    AND post_third_to_target_usd - pre_third_to_target_usd > 0, false) AS both_rose
    FROM joined
    WHERE pre_to_third_usd IS NOT NULL OR post_to_third_usd IS NOT NULL
       OR pre_third_to_target_usd IS NOT NULL OR post_third_to_target_usd IS NOT NULL
)
SELECT *,
       CASE WHEN both_rose AND complete THEN CAST(row_number() OVER (
           PARTITION BY measure_id, source, freq, commodity, hs_code, side, both_rose AND complete
           ORDER BY least(change_to_third_usd, change_third_to_target_usd) DESC, third_iso3) AS INTEGER) END AS rank
FROM changes;

INSERT INTO diversion_replacements BY NAME
WITH
legs AS (
    SELECT l.*, c.pre_rows AS r_pre, c.post_rows AS r_post, c.pre_periods AS r_pre_periods, c.post_periods AS r_post_periods
    FROM diversion_legs l
    JOIN diversion_cover c USING (measure_id, source, freq, side, reporter)
    WHERE c.commodity IS NOT DISTINCT FROM l.commodity AND c.hs_code IS NOT DISTINCT FROM l.hs_code
),
-- Only importers whose reporter (the importer on the import side, the
-- imposing country on the export side) reported in both windows.
fell AS (
    SELECT measure_id, imposing_iso3, source, freq, commodity, hs_code, side, importer AS importer_iso3,
           window_periods, max(r_pre_periods) AS pre_periods, max(r_post_periods) AS post_periods,
           sum(coalesce(pre_usd, 0)) AS pre_from_imposing_usd, sum(coalesce(post_usd, 0)) AS post_from_imposing_usd
    FROM legs
    WHERE exporter = imposing_iso3 AND importer <> imposing_iso3 AND r_pre AND r_post
    GROUP BY ALL
    HAVING sum(coalesce(pre_usd, 0)) > sum(coalesce(post_usd, 0))
),
rose AS (
    SELECT measure_id, source, freq, commodity, hs_code, side, importer AS importer_iso3, exporter AS supplier_iso3,
           sum(coalesce(pre_usd, 0)) AS pre_usd, sum(coalesce(post_usd, 0)) AS post_usd
    FROM legs
    WHERE exporter <> imposing_iso3 AND r_pre AND r_post
    GROUP BY ALL
    HAVING sum(coalesce(post_usd, 0)) > sum(coalesce(pre_usd, 0))
)
SELECT f.*, r.supplier_iso3, r.pre_usd, r.post_usd,
       f.pre_from_imposing_usd - f.post_from_imposing_usd AS fall_from_imposing_usd,
       r.post_usd - r.pre_usd AS rise_usd,
       f.post_periods >= mn.min_post AS complete,
       CASE WHEN r.supplier_iso3 IS NOT NULL AND f.post_periods >= mn.min_post THEN CAST(row_number() OVER (
           PARTITION BY f.measure_id, f.source, f.freq, f.commodity, f.hs_code, f.side, f.importer_iso3
           ORDER BY r.post_usd - r.pre_usd DESC, r.supplier_iso3) AS INTEGER) END AS rank
FROM fell f
JOIN diversion_min mn ON mn.freq = f.freq
LEFT JOIN rose r ON r.measure_id = f.measure_id AND r.source = f.source AND r.freq = f.freq AND r.side = f.side
    AND r.commodity IS NOT DISTINCT FROM f.commodity AND r.hs_code IS NOT DISTINCT FROM f.hs_code
    AND r.importer_iso3 = f.importer_iso3;

DROP TABLE diversion_legs;
DROP TABLE diversion_cover;
DROP TABLE diversion_min;
DROP MACRO t0_period;

DELETE FROM measure_marts_state;
INSERT INTO measure_marts_state SELECT * FROM measure_marts_now;
DROP TABLE measure_marts_now;
DROP TABLE measure_marts_rebuild;
