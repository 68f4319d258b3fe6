-- The newest edition's figure for each statistic, one per commodity, year,
-- country, measure and product: USGS changes the unit of a series between
-- editions (a price in usd_per_lb, then usd_per_kg), and the older
-- edition's figure in the old unit is superseded all the same. Where one
-- edition gives a figure in two units (nickel in usd_per_lb and usd_per_t),
-- the metric one is kept; both stay in mineral_statistics.
CREATE OR REPLACE VIEW mineral_statistics_latest AS
SELECT * FROM mineral_statistics
QUALIFY row_number() OVER (PARTITION BY commodity, year, country_iso3, measure, product
                           ORDER BY edition DESC, unit IN ('usd_per_lb', 'usd_per_short_ton'), unit) = 1;

-- supplier_alternatives reads it: its next rebuild covers every year.
DROP TABLE IF EXISTS supplier_alternatives_state;
