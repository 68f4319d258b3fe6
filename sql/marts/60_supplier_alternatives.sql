-- supplier_alternatives: where else an importer can buy. For each importer,
-- commodity group (and code) and year of annual imports: every supplier
-- other than the country of concern (its current suppliers, those of three
-- years earlier, the code's exporters to the world and the mineral's
-- producers), with its share then and now, its exports to the world, its
-- unit value against the importer's average, its production and reserves
-- from the USGS world tables, whether a trade measure restricts it, and
-- the importer's HHI if it took over the concern country's share (both
-- NULL under partial coverage, as in dependency_trends). Areas (World,
-- "Other countries", groups) are never suppliers nor ranked. Ranked by a
-- documented score (README).
--
-- Writes:   supplier_alternatives, supplier_alternatives_state
--           (tables/supplier_alternatives.sql, tables/supplier_alternatives_state.sql)
-- Reads:    import_shares (so it follows 10_import_shares.sql), trade_flows,
--           mineral_statistics, trade_measures, trade_measure_codes,
--           countries, commodity_codes, commodity_usgs; for its state,
--           trade_measures_history, mineral_statistics_history,
--           trade_flow_parts, settings
-- Scope:    the years of the annual periods in mart_scope and the years three
--           later (a year's rows read that year's flows and shares and those
--           of three years before), when trade_flow_parts changed since
--           supplier_alternatives_state; every year when the measures, the
--           USGS statistics or the settings changed
-- Settings: concern_iso3, min_coverage, alternatives_world_exporters

CREATE OR REPLACE TEMP TABLE alternatives_years AS
WITH
state AS (
    SELECT (SELECT max(valid_from) FROM trade_measures_history) AS m,
           (SELECT max(valid_from) FROM mineral_statistics_history) AS s,
           (SELECT string_agg(name || '=' || value, ';' ORDER BY name) FROM settings) AS settings,
           (SELECT max(valid_from) FROM trade_flow_parts) AS f
),
changed AS (
    SELECT NOT EXISTS (SELECT 1 FROM supplier_alternatives_state x, state
                       WHERE x.measures_at IS NOT DISTINCT FROM state.m
                         AND x.statistics_at IS NOT DISTINCT FROM state.s
                         AND x.settings IS NOT DISTINCT FROM state.settings) AS all_years,
           NOT EXISTS (SELECT 1 FROM supplier_alternatives_state x, state
                       WHERE x.flows_at IS NOT DISTINCT FROM state.f) AS flows_changed
)
SELECT DISTINCT CAST(year(period) AS INTEGER) + k.n AS year
FROM mart_scope, (VALUES (0), (3)) k(n)
WHERE freq = 'A' AND (SELECT flows_changed FROM changed)
UNION
SELECT DISTINCT year FROM import_shares WHERE freq = 'A' AND (SELECT all_years FROM changed);

DELETE FROM supplier_alternatives WHERE year IN (SELECT year FROM alternatives_years);
DELETE FROM supplier_alternatives_state;
INSERT INTO supplier_alternatives_state
SELECT (SELECT max(valid_from) FROM trade_measures_history), (SELECT max(valid_from) FROM mineral_statistics_history),
       (SELECT string_agg(name || '=' || value, ';' ORDER BY name) FROM settings),
       (SELECT max(valid_from) FROM trade_flow_parts);

INSERT INTO supplier_alternatives BY NAME
WITH
concern AS (
    SELECT (SELECT value FROM settings WHERE name = 'concern_iso3') AS iso3
),
-- The code's largest exporters to the world are candidates even where the
-- importer does not buy from them (setting alternatives_world_exporters).
top_exporters AS (
    SELECT (SELECT TRY_CAST(value AS INTEGER) FROM settings WHERE name = 'alternatives_world_exporters') AS n
),
-- The coverage rule of dependency_trends: under partial coverage the
-- partners not pulled are unknown, and so is the HHI.
min_coverage AS (
    SELECT (SELECT CASE WHEN TRY_CAST(value AS DOUBLE) IS NULL
                        THEN error('settings: min_coverage = ''' || value || ''' is not a number')
                        ELSE CAST(value AS DOUBLE) END
            FROM settings WHERE name = 'min_coverage') AS v
),
-- World, "Other countries", the groups of a USGS table: never suppliers.
areas AS (
    SELECT iso3 FROM countries WHERE is_area
),
shares AS MATERIALIZED (
    SELECT source, reporter_iso3, commodity, hs_code, year, partner_iso3, value_usd, share, total_value_usd,
           coverage_ratio, coverage_basis
    FROM import_shares
    -- Areas and groups are no suppliers, and a World total alone has no partner.
    WHERE freq = 'A' AND commodity IS NOT NULL AND NOT coalesce(is_area, false) AND NOT coalesce(no_partner_rows, false)
      AND (year IN (SELECT year FROM alternatives_years) OR year + 3 IN (SELECT year FROM alternatives_years))
),
keys AS MATERIALIZED (
    SELECT s.source, s.reporter_iso3, s.commodity, s.hs_code, s.year, c.iso3 AS concern_iso3,
           any_value(s.total_value_usd) AS total_value_usd,
           coalesce(sum(s.share) FILTER (WHERE s.partner_iso3 = c.iso3), 0) AS concern_share,
           CASE WHEN any_value(s.coverage_basis) = 'partner_sum'
                  OR any_value(s.coverage_ratio) >= (SELECT v FROM min_coverage)
                THEN sum(power(s.share * 100, 2)) END AS hhi
    FROM shares s, concern c
    WHERE s.year IN (SELECT year FROM alternatives_years)
    GROUP BY ALL
),
old_totals AS (
    SELECT source, reporter_iso3, commodity, hs_code, year, any_value(total_value_usd) AS total_value_usd
    FROM shares
    GROUP BY ALL
),
-- Import flows of the groups' codes, one value per key; weights of 0 are
-- placeholders. Group rows keep a code only where the same reporter and
-- partner have no valued, more aggregate code of the group.
imports AS MATERIALIZED (
    SELECT source, CAST(year(period) AS INTEGER) AS year, reporter_iso3, partner_iso3, hs_code,
           max(commodity) AS commodity, sum(value_usd) AS value_usd,
           sum(net_weight_kg) FILTER (WHERE net_weight_kg > 0) AS weight_kg,
           sum(value_usd) FILTER (WHERE net_weight_kg > 0) AS weighed_usd
    FROM trade_flows
    WHERE freq = 'A' AND flow = 'import' AND commodity IS NOT NULL
      AND reporter_iso3 <> 'WLD' AND partner_iso3 <> 'WLD'
      AND period IN (SELECT make_date(year, 1, 1) FROM alternatives_years)
    GROUP BY ALL
),
imports_all AS MATERIALIZED (
    SELECT * FROM imports
    UNION ALL
    SELECT g.* REPLACE (CAST(NULL AS VARCHAR) AS hs_code)
    FROM imports g
    WHERE NOT EXISTS (
        SELECT 1 FROM imports a
        WHERE a.source = g.source AND a.year = g.year AND a.reporter_iso3 = g.reporter_iso3
          AND a.partner_iso3 = g.partner_iso3 AND a.commodity = g.commodity AND a.value_usd IS NOT NULL
          AND length(a.hs_code) < length(g.hs_code) AND starts_with(g.hs_code, a.hs_code))
),
unit_values AS (
    SELECT source, year, reporter_iso3, commodity, hs_code, partner_iso3,
           sum(weighed_usd) / nullif(sum(weight_kg), 0) AS uv,
           sum(sum(weighed_usd)) OVER k / nullif(sum(sum(weight_kg)) OVER k, 0) AS avg_uv
    FROM imports_all
    GROUP BY source, year, reporter_iso3, commodity, hs_code, partner_iso3
    WINDOW k AS (PARTITION BY source, year, reporter_iso3, commodity, hs_code)
),
-- Exports to the world, as every importer reports them (BACI, or Comtrade
-- with all reporters), from the source with the most reporting importers.
world_exports AS (
    SELECT source, year, commodity, hs_code, partner_iso3 AS exporter_iso3, sum(value_usd) AS value_usd,
           count(DISTINCT reporter_iso3) OVER (PARTITION BY source, year, commodity, hs_code) AS reporters
    FROM imports_all
    GROUP BY source, year, commodity, hs_code, partner_iso3, reporter_iso3
),
world_exports_by AS (
    SELECT source, year, commodity, hs_code, exporter_iso3, sum(value_usd) AS value_usd, max(reporters) AS reporters
    FROM world_exports
    GROUP BY ALL
),
-- Areas count in the world's exports, never in the exporters' ranks.
world_best AS MATERIALIZED (
    SELECT w.*, w.value_usd / nullif(sum(w.value_usd) OVER (PARTITION BY w.source, w.year, w.commodity, w.hs_code), 0) AS share,
           w.exporter_iso3 IN (SELECT iso3 FROM areas) AS is_area,
           row_number() OVER (PARTITION BY w.source, w.year, w.commodity, w.hs_code, w.exporter_iso3 IN (SELECT iso3 FROM areas)
                              ORDER BY w.value_usd DESC NULLS LAST, w.exporter_iso3) AS export_rank
    FROM world_exports_by w
    QUALIFY dense_rank() OVER (PARTITION BY year, commodity, hs_code ORDER BY reporters DESC, source) = 1
),
-- USGS world tables: per group, the USGS commodity with the most
-- producing countries (gallium for gallium and germanium); production by
-- stage; the latest year up to the trade year. A year's production, and
-- its reserves, come from one edition, the newest that covers them: a
-- country a later edition folded into "Other countries" keeps no older
-- figure beside it.
usgs_editions AS (
    SELECT cu.commodity, m.commodity AS usgs_commodity, m.edition, m.year, m.country_iso3, m.value, m.unit,
           CASE WHEN m.measure = 'mine_production' THEN 'mine'
                WHEN m.measure IN ('refinery_production', 'smelter_production', 'primary_production', 'unspecified_production', 'plant_production') THEN 'refinery'
                WHEN m.measure = 'reserves' THEN 'reserves' END AS what
    FROM mineral_statistics m
    JOIN commodity_usgs cu ON cu.usgs_commodity = m.commodity
    WHERE m.measure IN ('mine_production', 'refinery_production', 'smelter_production', 'primary_production', 'unspecified_production',
                        'plant_production', 'reserves')
    QUALIFY m.edition = max(m.edition) OVER (PARTITION BY m.commodity, m.year, m.measure = 'reserves')
),
usgs AS MATERIALIZED (
    SELECT commodity, usgs_commodity, year, country_iso3, what, max(value) AS value, any_value(unit) AS unit,
           country_iso3 IN (SELECT iso3 FROM areas) AS is_area
    FROM usgs_editions
    GROUP BY ALL
),
usgs_pick AS (
    SELECT commodity, usgs_commodity
    FROM usgs
    WHERE what IN ('mine', 'refinery') AND value > 0 AND NOT is_area
    GROUP BY commodity, usgs_commodity
    QUALIFY row_number() OVER (PARTITION BY commodity ORDER BY count(DISTINCT country_iso3) DESC, usgs_commodity) = 1
),
production AS (
    SELECT u.commodity, u.usgs_commodity, u.year, u.country_iso3, u.is_area,
           max(u.value) FILTER (WHERE u.what = 'mine') AS mine_production,
           max(u.value) FILTER (WHERE u.what = 'refinery') AS refinery_production,
           coalesce(any_value(u.unit) FILTER (WHERE u.what = 'mine'), any_value(u.unit) FILTER (WHERE u.what = 'refinery')) AS production_unit,
           max(u.value) FILTER (WHERE u.what = 'reserves') AS reserves,
           any_value(u.unit) FILTER (WHERE u.what = 'reserves') AS reserves_unit
    FROM usgs u
    JOIN usgs_pick p USING (commodity, usgs_commodity)
    GROUP BY ALL
),
-- The table's stage: mine where the table has mine production, else
-- refinery. Ranked among countries only: "Other countries" and groups
-- are areas.
ranked AS MATERIALIZED (
    SELECT p.*, coalesce(p.mine_production, p.refinery_production) AS produced,
           coalesce(p.mine_production, p.refinery_production)
               / nullif(max(coalesce(p.mine_production, p.refinery_production)) FILTER (WHERE p.country_iso3 = 'WLD')
                        OVER (PARTITION BY p.commodity, p.year), 0) AS production_share,
           CASE WHEN NOT p.is_area AND coalesce(p.mine_production, p.refinery_production) > 0
                THEN CAST(rank() OVER (PARTITION BY p.commodity, p.year, p.is_area,
                                                    coalesce(p.mine_production, p.refinery_production) > 0
                                       ORDER BY coalesce(p.mine_production, p.refinery_production) DESC) AS INTEGER) END AS production_rank
    FROM production p
),
prod_years AS (
    SELECT DISTINCT commodity, year FROM ranked WHERE produced IS NOT NULL
),
key_prod_year AS (
    SELECT k.commodity, k.year, max(p.year) AS production_year
    FROM (SELECT DISTINCT commodity, year FROM keys) k
    JOIN prod_years p ON p.commodity = k.commodity AND p.year <= k.year
    GROUP BY ALL
),
-- A measure ends at its end date or when a later one suspends it.
measures AS (
    SELECT m.measure_id, m.imposing_iso3, m.target_iso3, m.effective_date,
           least(m.end_date, s.suspended) AS ends
    FROM trade_measures m
    LEFT JOIN (SELECT suspends_measure_id AS measure_id, min(effective_date) AS suspended
               FROM trade_measures WHERE suspends_measure_id IS NOT NULL GROUP BY ALL) s USING (measure_id)
    WHERE m.measure_type NOT IN ('suspension', 'lifting')
),
measure_codes AS (
    SELECT m.*, c.hs_code, coalesce(cc.commodity, f.commodity) AS commodity
    FROM measures m
    JOIN trade_measure_codes c USING (measure_id)
    LEFT JOIN commodity_codes cc ON cc.hs_code = c.hs_code
    LEFT JOIN (SELECT DISTINCT hs_code, commodity FROM imports) f ON f.hs_code = c.hs_code
),
candidates AS (
    SELECT source, reporter_iso3, commodity, hs_code, year, partner_iso3 AS supplier_iso3 FROM shares
    UNION
    SELECT source, reporter_iso3, commodity, hs_code, year + 3, partner_iso3 FROM shares
    UNION
    SELECT k.source, k.reporter_iso3, k.commodity, k.hs_code, k.year, w.exporter_iso3
    FROM keys k JOIN world_best w ON w.year = k.year AND w.commodity = k.commodity AND w.hs_code IS NOT DISTINCT FROM k.hs_code
    WHERE w.export_rank <= (SELECT n FROM top_exporters) AND NOT w.is_area
    UNION
    SELECT k.source, k.reporter_iso3, k.commodity, k.hs_code, k.year, r.country_iso3
    FROM keys k
    JOIN key_prod_year y ON y.commodity = k.commodity AND y.year = k.year
    JOIN ranked r ON r.commodity = k.commodity AND r.year = y.production_year
    WHERE r.produced > 0 AND NOT r.is_area
),
rows AS MATERIALIZED (
    SELECT k.*, c.supplier_iso3,
           now_s.value_usd, coalesce(now_s.share, CASE WHEN k.total_value_usd > 0 THEN 0 END) AS share,
           coalesce(old_s.share, CASE WHEN old_k.total_value_usd > 0 THEN 0 END) AS share_3y_earlier
    FROM keys k
    JOIN candidates c ON c.source = k.source AND c.reporter_iso3 = k.reporter_iso3 AND c.commodity = k.commodity
        AND c.hs_code IS NOT DISTINCT FROM k.hs_code AND c.year = k.year
    LEFT JOIN shares now_s ON now_s.source = k.source AND now_s.reporter_iso3 = k.reporter_iso3
        AND now_s.commodity = k.commodity AND now_s.hs_code IS NOT DISTINCT FROM k.hs_code
        AND now_s.year = k.year AND now_s.partner_iso3 = c.supplier_iso3
    LEFT JOIN shares old_s ON old_s.source = k.source AND old_s.reporter_iso3 = k.reporter_iso3
        AND old_s.commodity = k.commodity AND old_s.hs_code IS NOT DISTINCT FROM k.hs_code
        AND old_s.year = k.year - 3 AND old_s.partner_iso3 = c.supplier_iso3
    LEFT JOIN old_totals old_k ON old_k.source = k.source AND old_k.reporter_iso3 = k.reporter_iso3
        AND old_k.commodity = k.commodity AND old_k.hs_code IS NOT DISTINCT FROM k.hs_code AND old_k.year = k.year - 3
    WHERE c.supplier_iso3 NOT IN (k.concern_iso3, k.reporter_iso3) AND c.supplier_iso3 NOT IN (SELECT iso3 FROM areas)
),
-- The measures covering each key's code (or group): a small join, so the
-- join with the rows is on equalities.
key_measures AS (
    SELECT DISTINCT k.commodity, k.hs_code AS key_code, mc.measure_id, mc.imposing_iso3, mc.target_iso3,
           mc.effective_date, mc.ends
    FROM (SELECT DISTINCT commodity, hs_code FROM keys) k
    JOIN measure_codes mc
      ON (k.hs_code IS NULL AND mc.commodity = k.commodity)
      OR starts_with(k.hs_code, mc.hs_code) OR starts_with(mc.hs_code, k.hs_code)
),
restrictions AS (
    SELECT r.source, r.reporter_iso3, r.commodity, r.hs_code, r.year, r.supplier_iso3,
           string_agg(DISTINCT km.measure_id, ',' ORDER BY km.measure_id) AS restricting_measures
    FROM rows r
    JOIN key_measures km ON km.imposing_iso3 = r.supplier_iso3 AND km.commodity = r.commodity
        AND km.key_code IS NOT DISTINCT FROM r.hs_code
    WHERE (km.target_iso3 IS NULL OR list_contains(km.target_iso3, r.reporter_iso3))
      AND (km.ends IS NULL OR km.ends >= make_date(r.year, 1, 1))
    GROUP BY ALL
),
scored AS (
    SELECT r.*,
           w.value_usd AS world_export_value_usd, w.share AS world_export_share,
           wb.source AS world_export_source, CAST(wb.reporters AS INTEGER) AS world_export_reporters,
           uv.uv AS unit_value_usd_per_kg, uv.uv / nullif(uv.avg_uv, 0) AS unit_value_ratio,
           p.usgs_commodity, y.production_year, p.mine_production, p.refinery_production, p.production_unit,
           p.production_share, p.production_rank, p.reserves, p.reserves_unit,
           x.restricting_measures IS NOT NULL AS restricted, x.restricting_measures,
           r.hhi + 2 * (coalesce(r.share, 0) * 100) * (r.concern_share * 100) AS hhi_if_replaces_concern
    FROM rows r
    LEFT JOIN (SELECT DISTINCT year, commodity, hs_code, source, reporters FROM world_best) wb
        ON wb.year = r.year AND wb.commodity = r.commodity AND wb.hs_code IS NOT DISTINCT FROM r.hs_code
    LEFT JOIN world_best w ON w.year = r.year AND w.commodity = r.commodity
        AND w.hs_code IS NOT DISTINCT FROM r.hs_code AND w.exporter_iso3 = r.supplier_iso3
    LEFT JOIN unit_values uv ON uv.source = r.source AND uv.year = r.year AND uv.reporter_iso3 = r.reporter_iso3
        AND uv.commodity = r.commodity AND uv.hs_code IS NOT DISTINCT FROM r.hs_code AND uv.partner_iso3 = r.supplier_iso3
    LEFT JOIN key_prod_year y ON y.commodity = r.commodity AND y.year = r.year
    LEFT JOIN ranked p ON p.commodity = r.commodity AND p.year = y.production_year AND p.country_iso3 = r.supplier_iso3
    LEFT JOIN restrictions x ON x.source = r.source AND x.reporter_iso3 = r.reporter_iso3 AND x.commodity = r.commodity
        AND x.hs_code IS NOT DISTINCT FROM r.hs_code AND x.year = r.year AND x.supplier_iso3 = r.supplier_iso3
)
-- score (0-100): 40 x world export share + 30 x production share + 20 x
-- share of the importer's imports + 10 x price (1 at or below the
-- importer's average unit value, average / unit value above it), halved
-- when a measure restricts the supplier; a missing figure counts 0.
SELECT * EXCLUDE (total_value_usd),
       100 * (0.4 * coalesce(world_export_share, 0) + 0.3 * coalesce(production_share, 0)
              + 0.2 * coalesce(share, 0)
              + 0.1 * coalesce(CASE WHEN unit_value_ratio > 0 THEN least(1, 1 / unit_value_ratio) END, 0))
           * CASE WHEN restricted THEN 0.5 ELSE 1 END AS score,
       CAST(row_number() OVER (PARTITION BY source, reporter_iso3, commodity, hs_code, year
                               ORDER BY score DESC, supplier_iso3) AS INTEGER) AS rank
FROM scored;

DROP TABLE alternatives_years;
