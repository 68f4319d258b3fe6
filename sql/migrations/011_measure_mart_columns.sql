-- Columns the measure marts gained (event_windows' coverage, diversion's
-- equal windows and completeness). The scripts make these tables, so an
-- older warehouse may lack them; the next rebuild fills the new columns:
-- dropping measure_marts_state makes it rebuild them whole, and one pending
-- period per frequency makes tradewh marts run it.
ALTER TABLE IF EXISTS event_windows ADD COLUMN IF NOT EXISTS coverage_ratio DOUBLE;
ALTER TABLE IF EXISTS event_windows ADD COLUMN IF NOT EXISTS coverage_basis VARCHAR;
ALTER TABLE IF EXISTS diversion ADD COLUMN IF NOT EXISTS window_periods INTEGER;
ALTER TABLE IF EXISTS diversion ADD COLUMN IF NOT EXISTS complete BOOLEAN;
ALTER TABLE IF EXISTS diversion_replacements ADD COLUMN IF NOT EXISTS window_periods INTEGER;
ALTER TABLE IF EXISTS diversion_replacements ADD COLUMN IF NOT EXISTS pre_periods INTEGER;
ALTER TABLE IF EXISTS diversion_replacements ADD COLUMN IF NOT EXISTS post_periods INTEGER;
ALTER TABLE IF EXISTS diversion_replacements ADD COLUMN IF NOT EXISTS complete BOOLEAN;
DROP TABLE IF EXISTS measure_marts_state;
INSERT INTO mart_pending
SELECT freq, max(period), now() FROM trade_flows GROUP BY freq
ON CONFLICT DO NOTHING;
