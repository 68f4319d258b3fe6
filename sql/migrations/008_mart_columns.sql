-- Warehouses whose mart tables a mart script created before
-- 006_mart_tables.sql get the columns added since: coverage of the partner
-- detail, areas apart from countries, HS revision changes and
-- concentration bands. Rank and n_partners may now be NULL (areas are not
-- ranked; partial coverage says nothing of how many partners there are).
ALTER TABLE import_shares ADD COLUMN IF NOT EXISTS coverage_ratio DOUBLE;
ALTER TABLE import_shares ADD COLUMN IF NOT EXISTS coverage_basis VARCHAR;
ALTER TABLE import_shares ADD COLUMN IF NOT EXISTS is_area BOOLEAN;
ALTER TABLE import_shares ADD COLUMN IF NOT EXISTS no_partner_rows BOOLEAN;
ALTER TABLE import_shares ADD COLUMN IF NOT EXISTS hs_revision VARCHAR;
ALTER TABLE import_shares ADD COLUMN IF NOT EXISTS hs_revision_note VARCHAR;
ALTER TABLE import_shares ALTER COLUMN rank DROP NOT NULL;

ALTER TABLE dependency_trends ADD COLUMN IF NOT EXISTS coverage_ratio DOUBLE;
ALTER TABLE dependency_trends ADD COLUMN IF NOT EXISTS coverage_basis VARCHAR;
ALTER TABLE dependency_trends ADD COLUMN IF NOT EXISTS coverage_flag VARCHAR;
ALTER TABLE dependency_trends ADD COLUMN IF NOT EXISTS hhi_band VARCHAR;
ALTER TABLE dependency_trends ADD COLUMN IF NOT EXISTS single_supplier BOOLEAN;
ALTER TABLE dependency_trends ADD COLUMN IF NOT EXISTS hs_revision VARCHAR;
ALTER TABLE dependency_trends ADD COLUMN IF NOT EXISTS hs_revision_changed BOOLEAN;
ALTER TABLE dependency_trends ADD COLUMN IF NOT EXISTS hs_revision_note VARCHAR;
ALTER TABLE dependency_trends ALTER COLUMN n_partners DROP NOT NULL;

-- Rows built before these columns lack them, and their ranks, totals and
-- shares follow the older rules: every period they cover waits for the
-- next rebuild (the next load, run or tradewh marts).
INSERT INTO mart_pending
SELECT freq, period, now() FROM (
    SELECT freq, period FROM import_shares
    UNION SELECT freq, period FROM dependency_trends
    UNION SELECT freq, period FROM mirror_flows)
ON CONFLICT DO NOTHING;
