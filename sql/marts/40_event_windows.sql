-- event_windows: what each trade measure did to the imposing country's
-- flows around its effective date (and around its end, for a measure that
-- ends or that a later one suspends). Both sides of the mirror where the
-- warehouse has them: the imposing country's reported exports, and its
-- partners' reported imports from it.
--
-- Writes:   event_windows (tables/event_windows.sql); measure_marts_now and
--           measure_marts_rebuild, TEMP, for 50_diversion.sql, which then
--           records measure_marts_state (tables/measure_marts_state.sql)
-- Reads:    trade_flows, trade_measures, trade_measure_codes, countries;
--           for its state, trade_measures_history, trade_flow_parts, settings
-- Scope:    whole, not mart_scope: measures are few and their codes a
--           handful, and a measures load changes every window of a measure
--           at once. Rebuilt when measure_marts_state differs from what the
--           warehouse holds now, else left be
-- Settings: event_window_months, event_baseline_months, event_window_years,
--           event_baseline_years (any setting's change rebuilds it)

-- t = 0 is the first period (month or year) a measure is in force for at
-- least half of: the month or year of its date when it takes effect by
-- the middle of it, else the next one. A measure of 3 December 2024 has
-- t = 0 in December 2024 (monthly) and in 2025 (annual); one of 1 August
-- 2023 in August 2023 and in 2024. event_windows and diversion both use it.
CREATE OR REPLACE TEMP MACRO t0_period(d, unit) AS
    CAST(CASE WHEN 2 * datediff('day', d, date_trunc(unit, d) + to_months(CASE unit WHEN 'month' THEN 1 ELSE 12 END))
                 >= datediff('day', date_trunc(unit, d), date_trunc(unit, d) + to_months(CASE unit WHEN 'month' THEN 1 ELSE 12 END))
              THEN date_trunc(unit, d)
              ELSE date_trunc(unit, d) + to_months(CASE unit WHEN 'month' THEN 1 ELSE 12 END) END AS DATE);

-- What the last rebuild saw: event_windows and diversion are rebuilt when
-- the measures, the trade flows or the settings changed since (a load
-- that changed nothing leaves them be). 50_diversion.sql records it.
CREATE OR REPLACE TEMP TABLE measure_marts_now AS
SELECT (SELECT max(valid_from) FROM trade_measures_history) AS measures_at,
       (SELECT max(valid_from) FROM trade_flow_parts) AS flows_at,
       (SELECT string_agg(name || '=' || value, ';' ORDER BY name) FROM settings) AS settings;

CREATE OR REPLACE TEMP TABLE measure_marts_rebuild AS
SELECT NOT EXISTS (SELECT 1 FROM measure_marts_state s, measure_marts_now n
                   WHERE s.measures_at IS NOT DISTINCT FROM n.measures_at
                     AND s.flows_at IS NOT DISTINCT FROM n.flows_at
                     AND s.settings IS NOT DISTINCT FROM n.settings) AS rebuild;

DELETE FROM event_windows WHERE (SELECT rebuild FROM measure_marts_rebuild);

INSERT INTO event_windows BY NAME
WITH
cfg0 AS (
    SELECT (SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'event_window_months') AS win_m,
           (SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'event_baseline_months') AS base_m,
           (SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'event_window_years') AS win_y,
           (SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'event_baseline_years') AS base_y
),
-- Years of flows a window reads, either side of the event.
cfg AS (
    SELECT *, greatest(win_y, base_y, greatest(win_m, base_m) // 12 + 1) + 1 AS reach FROM cfg0
),
-- A measure ends on its end date or when a later measure suspends it,
-- whichever comes first.
events AS (
    SELECT measure_id, 'effective' AS event, effective_date AS event_date, imposing_iso3, target_iso3
    FROM trade_measures
    WHERE (SELECT rebuild FROM measure_marts_rebuild)
    UNION ALL
    SELECT m.measure_id, 'end', least(m.end_date, s.suspended), m.imposing_iso3, m.target_iso3
    FROM trade_measures m
    LEFT JOIN (SELECT suspends_measure_id AS measure_id, min(effective_date) AS suspended
               FROM trade_measures WHERE suspends_measure_id IS NOT NULL GROUP BY ALL) s USING (measure_id)
    WHERE (m.end_date IS NOT NULL OR s.suspended IS NOT NULL) AND (SELECT rebuild FROM measure_marts_rebuild)
),
-- One value per flow key; a weight of 0 beside a value is a placeholder
-- (no weight reported), not a weight.
flows AS (
    SELECT source, freq, period, reporter_iso3, partner_iso3, flow, hs_code,
           max(commodity) AS commodity, sum(value_usd) AS value_usd,
           sum(net_weight_kg) FILTER (WHERE net_weight_kg > 0) AS weight_kg,
           sum(value_usd) FILTER (WHERE net_weight_kg > 0) AS weighed_usd
    FROM trade_flows
    WHERE flow IN ('import', 'export')
      AND hs_code IN (SELECT hs_code FROM trade_measure_codes)
      AND (reporter_iso3 IN (SELECT imposing_iso3 FROM trade_measures)
           OR partner_iso3 IN (SELECT imposing_iso3 FROM trade_measures))
    GROUP BY ALL
),
code_rows AS (
    SELECT e.measure_id, e.event, e.event_date, e.imposing_iso3, e.target_iso3,
           f.source, f.freq, f.period, f.hs_code, f.commodity,
           CASE f.flow WHEN 'export' THEN 'reported_exports' ELSE 'partner_imports' END AS side,
           CASE f.flow WHEN 'export' THEN f.partner_iso3 ELSE f.reporter_iso3 END AS dest,
           f.value_usd, f.weight_kg, f.weighed_usd,
           CAST(CASE f.freq WHEN 'M' THEN datediff('month', t0_period(e.event_date, 'month'), f.period)
                            ELSE year(f.period) - year(t0_period(e.event_date, 'year')) END AS INTEGER) AS t
    FROM events e
    JOIN trade_measure_codes c USING (measure_id)
    JOIN flows f ON f.hs_code = c.hs_code
        AND ((f.flow = 'export' AND f.reporter_iso3 = e.imposing_iso3)
          OR (f.flow = 'import' AND f.partner_iso3 = e.imposing_iso3 AND f.reporter_iso3 <> 'WLD'))
    CROSS JOIN cfg
    WHERE f.period BETWEEN CAST(date_trunc('year', e.event_date) - to_years(cfg.reach) AS DATE)
                       AND CAST(e.event_date + to_years(cfg.reach) AS DATE)
),
-- The group: the measure's codes of a commodity group together, a code
-- dropped where the same destination has a valued, more aggregate code of
-- the measure (2617 holds 261710), or trade would count twice.
group_rows AS (
    SELECT g.* REPLACE (CAST(NULL AS VARCHAR) AS hs_code)
    FROM code_rows g
    WHERE g.commodity IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM code_rows a
          WHERE a.measure_id = g.measure_id AND a.event = g.event AND a.source = g.source
            AND a.freq = g.freq AND a.period = g.period AND a.side = g.side AND a.dest = g.dest
            AND a.commodity = g.commodity AND a.value_usd IS NOT NULL
            AND length(a.hs_code) < length(g.hs_code) AND starts_with(g.hs_code, a.hs_code))
),
all_rows AS (
    SELECT * FROM code_rows UNION ALL SELECT * FROM group_rows
),
-- Per period: target, others and world. World is the reporter's own World
-- total where it reports one, else the sum over destinations.
per_t AS (
    SELECT measure_id, event, event_date, imposing_iso3, target_iso3, source, freq, side, commodity, hs_code, t,
           sum(value_usd) FILTER (WHERE list_contains(target_iso3, dest)) AS target_usd,
           sum(weight_kg) FILTER (WHERE list_contains(target_iso3, dest)) AS target_kg,
           sum(weighed_usd) FILTER (WHERE list_contains(target_iso3, dest)) AS target_weighed,
           sum(value_usd) FILTER (WHERE dest <> 'WLD' AND NOT coalesce(list_contains(target_iso3, dest), false)) AS others_usd,
           sum(weight_kg) FILTER (WHERE dest <> 'WLD' AND NOT coalesce(list_contains(target_iso3, dest), false)) AS others_kg,
           sum(weighed_usd) FILTER (WHERE dest <> 'WLD' AND NOT coalesce(list_contains(target_iso3, dest), false)) AS others_weighed,
           coalesce(sum(value_usd) FILTER (WHERE dest = 'WLD'), sum(value_usd) FILTER (WHERE dest <> 'WLD')) AS world_usd,
           CASE WHEN count(value_usd) FILTER (WHERE dest = 'WLD') > 0 THEN sum(weight_kg) FILTER (WHERE dest = 'WLD')
                ELSE sum(weight_kg) FILTER (WHERE dest <> 'WLD') END AS world_kg,
           CASE WHEN count(value_usd) FILTER (WHERE dest = 'WLD') > 0 THEN sum(weighed_usd) FILTER (WHERE dest = 'WLD')
                ELSE sum(weighed_usd) FILTER (WHERE dest <> 'WLD') END AS world_weighed,
           -- How much of a reported World total the destinations' detail
           -- accounts for (countries only, as in import_shares).
           count(value_usd) FILTER (WHERE dest = 'WLD') > 0 AS has_world,
           coalesce(sum(value_usd) FILTER (WHERE dest <> 'WLD' AND dest NOT IN (SELECT iso3 FROM countries WHERE is_area)), 0) AS country_usd
    FROM all_rows
    GROUP BY ALL
),
-- Every t of the window, reported or not: a period with no row at all is
-- unknown (NULL); in a reported period a destination without a row is 0.
grid AS (
    SELECT k.*, CAST(r.t AS INTEGER) AS t
    FROM (SELECT DISTINCT measure_id, event, event_date, imposing_iso3, target_iso3, source, freq, side, commodity, hs_code
          FROM per_t) k
    CROSS JOIN cfg
    CROSS JOIN range(-60, 61) AS r(t)
    WHERE r.t BETWEEN -(CASE k.freq WHEN 'M' THEN greatest(cfg.win_m, cfg.base_m) ELSE greatest(cfg.win_y, cfg.base_y) END) - 1
                  AND CASE k.freq WHEN 'M' THEN cfg.win_m ELSE cfg.win_y END
),
series AS (
    SELECT g.*, p.t IS NOT NULL AS reported, p.* EXCLUDE (measure_id, event, event_date, imposing_iso3, target_iso3,
           source, freq, side, commodity, hs_code, t)
    FROM grid g
    LEFT JOIN per_t p ON p.measure_id = g.measure_id AND p.event = g.event AND p.source = g.source
        AND p.freq = g.freq AND p.side = g.side AND p.t = g.t
        AND p.commodity IS NOT DISTINCT FROM g.commodity AND p.hs_code IS NOT DISTINCT FROM g.hs_code
),
long AS (
    SELECT s.* EXCLUDE (target_usd, target_kg, target_weighed, others_usd, others_kg, others_weighed,
                        world_usd, world_kg, world_weighed, has_world, country_usd),
           d.destination,
           CASE WHEN s.reported THEN CASE d.destination
               WHEN 'target' THEN coalesce(s.target_usd, 0)
               WHEN 'others' THEN coalesce(s.others_usd, 0)
               ELSE s.world_usd END END AS value_usd,
           CASE d.destination
               WHEN 'target' THEN coalesce(s.target_kg, CASE WHEN s.reported AND s.target_usd IS NULL THEN 0 END)
               WHEN 'others' THEN coalesce(s.others_kg, CASE WHEN s.reported AND s.others_usd IS NULL THEN 0 END)
               ELSE s.world_kg END AS weight_kg,
           CASE d.destination WHEN 'target' THEN s.target_weighed WHEN 'others' THEN s.others_weighed ELSE s.world_weighed END AS weighed_usd,
           CASE WHEN s.target_iso3 IS NOT NULL AND s.reported AND s.world_usd <> 0
                THEN coalesce(s.target_usd, 0) / s.world_usd END AS target_share,
           CASE WHEN s.reported THEN CASE WHEN s.has_world THEN 'world_total' ELSE 'partner_sum' END END AS coverage_basis,
           CASE WHEN s.has_world AND s.world_usd <> 0 THEN s.country_usd / s.world_usd END AS coverage_ratio
    FROM series s
    JOIN (VALUES ('target'), ('others'), ('world')) d(destination)
      ON d.destination = 'world' OR s.target_iso3 IS NOT NULL
),
indexed AS (
    SELECT l.*,
           avg(value_usd) FILTER (WHERE t BETWEEN -(CASE freq WHEN 'M' THEN cfg.base_m ELSE cfg.base_y END) AND -1) OVER w AS baseline_value_usd,
           avg(weight_kg) FILTER (WHERE t BETWEEN -(CASE freq WHEN 'M' THEN cfg.base_m ELSE cfg.base_y END) AND -1) OVER w AS baseline_weight_kg,
           lag(value_usd) OVER wt AS prev_usd,
           lag(weight_kg) OVER wt AS prev_kg,
           any_value(value_usd) FILTER (WHERE t = -1) OVER w AS tm1_usd,
           any_value(weight_kg) FILTER (WHERE t = -1) OVER w AS tm1_kg,
           count(*) FILTER (WHERE reported AND t BETWEEN -(CASE freq WHEN 'M' THEN cfg.win_m ELSE cfg.win_y END)
                                              AND CASE freq WHEN 'M' THEN cfg.win_m ELSE cfg.win_y END) OVER w AS n_reported
    FROM long l
    CROSS JOIN cfg
    WINDOW w AS (PARTITION BY measure_id, event, source, freq, side, commodity, hs_code, destination),
           wt AS (PARTITION BY measure_id, event, source, freq, side, commodity, hs_code, destination ORDER BY t)
)
SELECT measure_id, event, event_date, imposing_iso3, source, commodity, hs_code, freq, side, destination, t,
       CAST(CASE freq WHEN 'M' THEN t0_period(event_date, 'month') + to_months(t)
                      ELSE t0_period(event_date, 'year') + to_years(t) END AS DATE) AS period,
       CAST(year(CASE freq WHEN 'M' THEN t0_period(event_date, 'month') + to_months(t)
                           ELSE t0_period(event_date, 'year') + to_years(t) END) AS INTEGER) AS year,
       value_usd, weight_kg,
       CASE WHEN weight_kg > 0 THEN weighed_usd / weight_kg END AS unit_value_usd_per_kg,
       CASE WHEN baseline_value_usd <> 0 THEN 100 * value_usd / baseline_value_usd END AS value_index,
       CASE WHEN baseline_weight_kg <> 0 THEN 100 * weight_kg / baseline_weight_kg END AS weight_index,
       CASE WHEN prev_usd <> 0 THEN 100 * value_usd / prev_usd END AS value_index_prev,
       CASE WHEN prev_kg <> 0 THEN 100 * weight_kg / prev_kg END AS weight_index_prev,
       CASE WHEN tm1_usd <> 0 THEN 100 * value_usd / tm1_usd END AS value_index_tm1,
       CASE WHEN tm1_kg <> 0 THEN 100 * weight_kg / tm1_kg END AS weight_index_tm1,
       target_share, baseline_value_usd, baseline_weight_kg, coverage_ratio, coverage_basis
FROM indexed
CROSS JOIN cfg
WHERE t BETWEEN -(CASE freq WHEN 'M' THEN cfg.win_m ELSE cfg.win_y END) AND CASE freq WHEN 'M' THEN cfg.win_m ELSE cfg.win_y END
  AND n_reported > 0; -- a window with nothing reported is left out
