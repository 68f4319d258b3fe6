-- mirror_flows: the same trade seen from both ends. What A reports importing
-- from B (usually valued CIF) beside what B reports exporting to A (usually
-- FOB); the gap shows freight and insurance, timing, misallocated partners
-- or unreported trade. Sources are never mixed: each reports on its own
-- basis.
--
-- Writes:   mirror_flows (tables/mirror_flows.sql)
-- Reads:    trade_flows, countries
-- Scope:    the periods in mart_scope: a period's mirror reads that period only
-- Settings: none

DELETE FROM mirror_flows
WHERE (freq, period) IN (SELECT freq, period FROM mart_scope);

INSERT INTO mirror_flows BY NAME
WITH
-- World and areas ('Other Asia, nes', ...) are no single country, so no one
-- reports the other side of such a flow.
no_mirror AS (
    SELECT iso3 FROM countries WHERE is_area
    UNION
    SELECT 'WLD'
),
-- One value per flow key, as in import_shares: read as they are.
flows AS (
    SELECT source, freq, period, reporter_iso3, partner_iso3, flow, hs_code, commodity, value_usd
    FROM trade_flows
    WHERE flow IN ('import', 'export')
      AND (freq, period) IN (SELECT freq, period FROM mart_scope)
      AND reporter_iso3 NOT IN (SELECT iso3 FROM no_mirror)
      AND partner_iso3 NOT IN (SELECT iso3 FROM no_mirror)
),
imports AS (
    SELECT source, freq, period, hs_code, commodity,
           reporter_iso3 AS importer_iso3, partner_iso3 AS exporter_iso3, value_usd
    FROM flows WHERE flow = 'import'
),
exports AS (
    SELECT source, freq, period, hs_code, commodity,
           partner_iso3 AS importer_iso3, reporter_iso3 AS exporter_iso3, value_usd
    FROM flows WHERE flow = 'export'
)
-- Full join: a flow only one side reports is itself a finding.
SELECT source, freq, period, hs_code, importer_iso3, exporter_iso3,
       CAST(year(period) AS INTEGER) AS year,
       coalesce(i.commodity, e.commodity) AS commodity,
       i.value_usd AS import_value_usd,
       e.value_usd AS export_value_usd,
       i.value_usd - e.value_usd AS gap_usd,
       CASE WHEN i.value_usd <> 0 THEN (i.value_usd - e.value_usd) / i.value_usd END AS gap_pct
FROM imports i
FULL OUTER JOIN exports e USING (source, freq, period, hs_code, importer_iso3, exporter_iso3);
