-- import_shares: which partners supply a reporter's imports, per HS code and
-- per commodity group (hs_code NULL). A period's shares depend on that
-- period's flows alone, so only the periods in mart_scope are rebuilt.
CREATE TABLE IF NOT EXISTS import_shares (
    source          VARCHAR NOT NULL,
    freq            VARCHAR NOT NULL,
    period          DATE NOT NULL,
    year            INTEGER NOT NULL,
    reporter_iso3   VARCHAR NOT NULL,
    commodity       VARCHAR,
    hs_code         VARCHAR,          -- NULL: the whole commodity group
    partner_iso3    VARCHAR NOT NULL,
    value_usd       DOUBLE,
    total_value_usd DOUBLE,
    total_basis     VARCHAR NOT NULL, -- reported_world or sum_of_partners
    share           DOUBLE,           -- 0-1, NULL when the total is 0 or unknown
    rank            INTEGER NOT NULL  -- 1 = largest partner
);

DELETE FROM import_shares
WHERE (freq, period) IN (SELECT freq, period FROM mart_scope);

INSERT INTO import_shares BY NAME
WITH
-- One value per flow key: should a source ever deliver a key twice, its
-- parts add up rather than showing as two rows of the same partner.
imports AS (
    SELECT source, freq, period, reporter_iso3, partner_iso3, hs_code,
           max(commodity) AS commodity, sum(value_usd) AS value_usd
    FROM trade_flows
    WHERE flow = 'import'
      AND (freq, period) IN (SELECT freq, period FROM mart_scope)
    GROUP BY ALL
),
-- The reporter's own World total: the best denominator, since partner
-- detail may be incomplete (confidential or unallocated trade). A World row
-- without a value is no total at all.
world AS (
    SELECT source, freq, period, reporter_iso3, hs_code, value_usd
    FROM imports
    WHERE partner_iso3 = 'WLD' AND value_usd IS NOT NULL
),
code_rows AS (
    SELECT p.source, p.freq, p.period, p.reporter_iso3, p.commodity, p.hs_code,
           p.partner_iso3, p.value_usd,
           w.value_usd AS world_usd,
           sum(p.value_usd) OVER (PARTITION BY p.source, p.freq, p.period, p.reporter_iso3, p.hs_code)
               AS partner_sum_usd
    FROM imports p
    LEFT JOIN world w USING (source, freq, period, reporter_iso3, hs_code)
    WHERE p.partner_iso3 <> 'WLD'
),
-- Group rows add a group's codes, but a heading already contains its
-- subheadings (2846 holds 284610): a code is dropped when the same partner
-- reported a valued, more aggregate code of the group, or trade would count twice.
kept AS (
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
group_partners AS (
    SELECT source, freq, period, reporter_iso3, commodity, partner_iso3,
           sum(value_usd) AS value_usd
    FROM kept
    WHERE partner_iso3 <> 'WLD'
    GROUP BY ALL
),
-- The codes the partner rows drew on, reduced to the most aggregate ones:
-- the World rows of exactly these make a matching denominator.
used_codes AS (
    SELECT DISTINCT source, freq, period, reporter_iso3, commodity, hs_code
    FROM kept
    WHERE partner_iso3 <> 'WLD' AND value_usd IS NOT NULL
),
top_codes AS (
    SELECT u.*
    FROM used_codes u
    WHERE NOT EXISTS (
        SELECT 1 FROM used_codes a
        WHERE a.source = u.source AND a.freq = u.freq AND a.period = u.period
          AND a.reporter_iso3 = u.reporter_iso3 AND a.commodity = u.commodity
          AND length(a.hs_code) < length(u.hs_code) AND starts_with(u.hs_code, a.hs_code))
),
-- World is used only when it was reported for every code used; a partial
-- World total would mix two bases.
group_world AS (
    SELECT t.source, t.freq, t.period, t.reporter_iso3, t.commodity,
           CASE WHEN count(w.value_usd) = count(*) THEN sum(w.value_usd) END AS world_usd
    FROM top_codes t
    LEFT JOIN world w USING (source, freq, period, reporter_iso3, hs_code)
    GROUP BY ALL
),
group_rows AS (
    SELECT p.source, p.freq, p.period, p.reporter_iso3, p.commodity,
           CAST(NULL AS VARCHAR) AS hs_code, p.partner_iso3, p.value_usd,
           w.world_usd,
           sum(p.value_usd) OVER (PARTITION BY p.source, p.freq, p.period, p.reporter_iso3, p.commodity)
               AS partner_sum_usd
    FROM group_partners p
    LEFT JOIN group_world w USING (source, freq, period, reporter_iso3, commodity)
),
with_totals AS (
    SELECT * EXCLUDE (world_usd, partner_sum_usd),
           coalesce(world_usd, partner_sum_usd) AS total_value_usd,
           CASE WHEN world_usd IS NOT NULL THEN 'reported_world' ELSE 'sum_of_partners' END AS total_basis
    FROM (SELECT * FROM code_rows UNION ALL BY NAME SELECT * FROM group_rows)
)
SELECT *,
       CAST(year(period) AS INTEGER) AS year,
       CASE WHEN total_value_usd <> 0 THEN value_usd / total_value_usd END AS share,
       row_number() OVER (PARTITION BY source, freq, period, reporter_iso3, commodity, hs_code
                          ORDER BY value_usd DESC NULLS LAST, partner_iso3) AS rank
FROM with_totals;
