-- import_shares: which partners supply a reporter's imports, per HS code and
-- per commodity group (hs_code NULL).
--
-- Writes:   import_shares (tables/import_shares.sql)
-- Reads:    trade_flows, countries, commodity_codes
-- Scope:    the periods in mart_scope: a period's shares depend on that
--           period's flows alone
-- Settings: concern_iso3

DELETE FROM import_shares
WHERE (freq, period) IN (SELECT freq, period FROM mart_scope);

INSERT INTO import_shares BY NAME
WITH
concern AS (
    SELECT (SELECT value FROM settings WHERE name = 'concern_iso3') AS iso3
),
-- Areas and groups ('Other Asia, nes', the EU, bunkers, free zones, ...)
-- are no single country: their rows are shown, never ranked or counted.
areas AS (
    SELECT iso3 FROM countries WHERE is_area AND iso3 <> 'WLD'
),
-- One value per flow key: trade_flows holds one current version per key
-- (a load rejects a key's repeats), so the flows are read as they are.
-- Grouping them again cost a third of this statement.
imports AS (
    SELECT source, freq, period, reporter_iso3, partner_iso3, hs_code, commodity, value_usd,
           hs_revision AS hs_revision_min, hs_revision AS hs_revision_max
    FROM trade_flows
    WHERE flow = 'import'
      AND (freq, period) IN (SELECT freq, period FROM mart_scope)
),
partners AS (
    SELECT source, freq, period, reporter_iso3, partner_iso3, hs_code, commodity, value_usd,
           hs_revision_min, hs_revision_max, partner_iso3 IN (SELECT iso3 FROM areas) AS is_area
    FROM imports
    WHERE partner_iso3 <> 'WLD'
),
-- The reporter's own World total: the best denominator, since partner
-- detail may be incomplete (confidential or unallocated trade, partners
-- not pulled). A World row without a value is no total at all.
world AS (
    SELECT source, freq, period, reporter_iso3, commodity, hs_code, value_usd
    FROM imports
    WHERE partner_iso3 = 'WLD' AND value_usd IS NOT NULL
),
-- Codes whose meaning changed between HS revisions carry their note: the
-- notes of commodity_codes that name a revision ("HS 2022 gave hafnium
-- ... subheadings of their own"). A heading shares its subheadings' notes.
revision_notes AS (
    SELECT DISTINCT hs_code, hs_code || ': ' || note AS note FROM commodity_codes
    WHERE regexp_matches(note, 'HS ?(19|20)[0-9][0-9]')
),
code_notes AS (
    SELECT c.hs_code, string_agg(DISTINCT n.note, '; ' ORDER BY n.note) AS hs_revision_note
    FROM (SELECT DISTINCT hs_code FROM imports) c
    JOIN revision_notes n ON starts_with(c.hs_code, n.hs_code) OR starts_with(n.hs_code, c.hs_code)
    GROUP BY c.hs_code
),

-- Per code. Denominator: the code's World total, else the sum over its
-- partners (areas included: their trade is trade). Coverage: what the
-- countries among the partners account for of the World total. The
-- revision is the one the key's rows were reported in (both, should they
-- differ). Countries rank first to last within their key; areas are not
-- ranked (ordered after the countries, their rank is then cleared).
world_rows AS (
    SELECT source, freq, period, reporter_iso3, hs_code, commodity, value_usd AS world_usd,
           hs_revision_min AS world_rev_min, hs_revision_max AS world_rev_max
    FROM imports
    WHERE partner_iso3 = 'WLD'
),
code_windows AS (
    SELECT p.source, p.freq, p.period, p.reporter_iso3, p.hs_code, p.commodity,
           p.partner_iso3, p.value_usd, p.is_area, false AS no_partner_rows,
           w.world_usd, w.world_rev_min, w.world_rev_max,
           sum(p.value_usd) OVER k AS partner_sum_usd,
           coalesce(sum(p.value_usd) FILTER (WHERE NOT p.is_area) OVER k, 0) AS country_sum_usd,
           min(p.hs_revision_min) OVER k AS rev_min,
           max(p.hs_revision_max) OVER k AS rev_max,
           CASE WHEN NOT p.is_area
                THEN row_number() OVER (k ORDER BY p.is_area, p.value_usd DESC NULLS LAST, p.partner_iso3) END AS rank
    FROM partners p
    LEFT JOIN world_rows w USING (source, freq, period, reporter_iso3, hs_code)
    WINDOW k AS (PARTITION BY p.source, p.freq, p.period, p.reporter_iso3, p.hs_code)
),
code_rows AS (
    SELECT * EXCLUDE (world_rev_min, world_rev_max, rev_min, rev_max),
           CASE WHEN least(rev_min, world_rev_min) = greatest(rev_max, world_rev_max) THEN least(rev_min, world_rev_min)
                ELSE least(rev_min, world_rev_min) || ',' || greatest(rev_max, world_rev_max) END AS hs_revision
    FROM code_windows
    LEFT JOIN code_notes n USING (hs_code)
),
-- Codes with a World total and no partner row at all (see filler_rows).
code_world_only AS (
    SELECT w.source, w.freq, w.period, w.reporter_iso3, w.hs_code, w.commodity, w.world_usd,
           CAST(NULL AS DOUBLE) AS partner_sum_usd, 0.0 AS country_sum_usd,
           CASE WHEN w.world_rev_min = w.world_rev_max THEN w.world_rev_min
                ELSE w.world_rev_min || ',' || w.world_rev_max END AS hs_revision,
           n.hs_revision_note, true AS no_partner_rows
    FROM world_rows w
    LEFT JOIN code_notes n USING (hs_code)
    WHERE w.world_usd IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM partners p
                      WHERE p.source = w.source AND p.freq = w.freq AND p.period = w.period
                        AND p.reporter_iso3 = w.reporter_iso3 AND p.hs_code = w.hs_code)
),

-- Per group. A heading already contains its subheadings (2846 holds
-- 284610): a code's row is dropped when the same partner (World too)
-- reported a valued, more aggregate code of the group, or trade would
-- count twice.
group_top AS (
    SELECT g.*
    FROM imports g
    WHERE g.commodity IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM imports a
          WHERE a.source = g.source AND a.freq = g.freq AND a.period = g.period
            AND a.reporter_iso3 = g.reporter_iso3 AND a.partner_iso3 = g.partner_iso3
            AND a.commodity = g.commodity AND a.value_usd IS NOT NULL
            AND length(a.hs_code) < length(g.hs_code) AND starts_with(g.hs_code, a.hs_code))
),
kept AS (
    SELECT *, partner_iso3 IN (SELECT iso3 FROM areas) AS is_area
    FROM group_top
    WHERE partner_iso3 <> 'WLD'
),
group_partners AS (
    SELECT source, freq, period, reporter_iso3, commodity, partner_iso3, is_area,
           sum(value_usd) AS value_usd
    FROM kept
    GROUP BY ALL
),
-- The group's World total is the sum of the World totals of its most
-- aggregate codes the reporter reported, whether or not a code has
-- partner rows (a code none of the pulled partners supplied still counts).
world_top AS (
    SELECT * FROM group_top WHERE partner_iso3 = 'WLD' AND value_usd IS NOT NULL
),
-- Partner values of a code under no reported World total (neither its own
-- nor a heading's) are outside that sum: such a group has no World total,
-- and its partners' sum is the denominator, as for a code without one.
uncovered AS (
    SELECT DISTINCT source, freq, period, reporter_iso3, commodity
    FROM kept k
    WHERE k.value_usd IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM world_top t
          WHERE t.source = k.source AND t.freq = k.freq AND t.period = k.period
            AND t.reporter_iso3 = k.reporter_iso3 AND t.commodity = k.commodity
            AND starts_with(k.hs_code, t.hs_code))
),
group_world AS (
    SELECT source, freq, period, reporter_iso3, commodity, sum(value_usd) AS world_usd
    FROM world_top
    GROUP BY ALL
),
group_sums AS (
    SELECT source, freq, period, reporter_iso3, commodity,
           sum(value_usd) AS partner_sum_usd,
           coalesce(sum(value_usd) FILTER (WHERE NOT is_area), 0) AS country_sum_usd
    FROM group_partners
    GROUP BY ALL
),
group_keys AS (
    SELECT source, freq, period, reporter_iso3, commodity,
           CASE WHEN min(i.hs_revision_min) = max(i.hs_revision_max) THEN min(i.hs_revision_min)
                ELSE min(i.hs_revision_min) || ',' || max(i.hs_revision_max) END AS hs_revision,
           string_agg(DISTINCT n.hs_revision_note, '; ' ORDER BY n.hs_revision_note) AS hs_revision_note
    FROM imports i
    LEFT JOIN code_notes n USING (hs_code)
    WHERE i.commodity IS NOT NULL
    GROUP BY source, freq, period, reporter_iso3, commodity
),
group_totals AS (
    SELECT k.*, CAST(NULL AS VARCHAR) AS hs_code,
           CASE WHEN u.commodity IS NULL THEN w.world_usd END AS world_usd,
           s.partner_sum_usd, s.country_sum_usd,
           s.commodity IS NULL AS no_partner_rows
    FROM group_keys k
    LEFT JOIN group_world w USING (source, freq, period, reporter_iso3, commodity)
    LEFT JOIN group_sums s USING (source, freq, period, reporter_iso3, commodity)
    LEFT JOIN uncovered u USING (source, freq, period, reporter_iso3, commodity)
    WHERE w.world_usd IS NOT NULL OR s.commodity IS NOT NULL
),
group_rows AS (
    SELECT t.* EXCLUDE (no_partner_rows), p.partner_iso3, p.value_usd, p.is_area, false AS no_partner_rows,
           CASE WHEN NOT p.is_area
                THEN row_number() OVER (PARTITION BY t.source, t.freq, t.period, t.reporter_iso3, t.commodity, p.is_area
                                        ORDER BY p.value_usd DESC NULLS LAST, p.partner_iso3) END AS rank
    FROM group_totals t
    JOIN group_partners p USING (source, freq, period, reporter_iso3, commodity)
),

-- A World total without any partner row (a pull of CHN and WLD where China
-- supplied nothing) still has its row: the concern country at 0, so the
-- series has no gap and coverage (0) says what the total rests on.
filler_rows AS (
    SELECT t.* EXCLUDE (no_partner_rows), c.iso3 AS partner_iso3, 0.0 AS value_usd, false AS is_area,
           true AS no_partner_rows, CAST(NULL AS BIGINT) AS rank
    FROM (SELECT * FROM code_world_only UNION ALL BY NAME SELECT * FROM group_totals) t
    CROSS JOIN concern c
    WHERE t.no_partner_rows
),
all_rows AS (
    SELECT * FROM code_rows
    UNION ALL BY NAME SELECT * FROM group_rows
    UNION ALL BY NAME SELECT * FROM filler_rows
)
SELECT * EXCLUDE (world_usd, partner_sum_usd, country_sum_usd),
       CAST(year(period) AS INTEGER) AS year,
       coalesce(world_usd, partner_sum_usd) AS total_value_usd,
       CASE WHEN world_usd IS NOT NULL THEN 'reported_world' ELSE 'sum_of_partners' END AS total_basis,
       CASE WHEN world_usd IS NOT NULL THEN 'world_total' ELSE 'partner_sum' END AS coverage_basis,
       CASE WHEN world_usd <> 0 THEN coalesce(country_sum_usd, 0) / world_usd END AS coverage_ratio,
       CASE WHEN coalesce(world_usd, partner_sum_usd) <> 0
            THEN value_usd / coalesce(world_usd, partner_sum_usd) END AS share
FROM all_rows;
