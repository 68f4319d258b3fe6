// Package usgsmcs loads the data releases of the USGS Mineral Commodity
// Summaries (MCS) into mineral_statistics as source kind "usgs-mcs".
//
// Two table layouts are read, from CSV or from XLSX workbooks (every sheet
// whose first row is such a header; source_ref is then "path#sheet"):
//
//   - salient tables (DataSource, Commodity, Year, <stat columns>): US
//     statistics, one row per year, country_iso3 'USA';
//   - world tables (Source, Country, Type, Prod_<unit>[_est]_<year>...,
//     Reserves_<unit>[_<year>], Cap_..., *_notes): one row per country.
//
// The layout is told by the header, not the file name: some files named
// _salient hold a world table. Stat columns are recognised by pattern, as
// their names change from commodity to commodity and edition to edition:
// <group_>?<Measure>_<product parts>_<unit>, the unit suffix possibly glued
// to the last word (USprod_Primarykg, Price_WO3dt, NIR_Refinedpct).
//
// measure (first word of the name found in the table below; an unknown
// first word is kept as its slug, e.g. extracted, furnace):
//
//	USprod, Prod, Production, Quantity  production (Quantity adds product "quantity")
//	Mine, Refinery                      production, product "mine"/"refinery"
//	Imports / Exports                   imports / exports
//	Consump, Consumption                consumption
//	Apparent, Apprnt                    consumption, product "apparent"
//	Price                               price
//	Stocks, Shipments, Sales/Sold       stocks, shipments, sales
//	Employment                          employment (unit always employees)
//	NIR                                 net_import_reliance (unit always pct,
//	                                    whatever the suffix says: NIR_ct, NIR_..._t)
//	Reserves, Cap (world tables)        reserves, capacity
//	CASE STATEMENT ERROR... (a label    price when the unit is a price, else
//	lost in the USGS export)            unlabelled
//
// World production takes its stage from the Type column: mine_production,
// refinery_production, smelter_production, plant_production,
// primary_production (gallium's "Primary production"), capacity (a Type
// saying "capacity") or unspecified_production (Types that name no stage:
// "Pig iron", "borates", "Cement production", "Soda ash, Synthetic"). These
// names never collide with the salient 'production' of the same US figure.
//
// product is the remaining words of the column name, slugged and joined
// with '-' (compounds-metals, high-purity, ceo2, bauxite-apprnt), empty when
// none. In world tables a file whose countries appear on several rows (one
// per Type: copper mine and refinery, palladium and platinum) also gets the
// Type's material as product (iron-ore-usable-ore, palladium); qualifiers
// after a country name ("Brazil (beneficiated)") only help to find the
// country.
//
// unit: published multiples are folded into a base unit so that a series
// keeps its key when an edition changes t to kt (values are rescaled by an
// exact decimal shift):
//
//	t, kt (x1e3), mmt/mt (million t, x1e6)  t
//	kg, g (x1e-3)                           kg
//	dkg, dg (x1e3)                          usd_per_kg
//	dt / dst / dlb, ctslb (x1e-2)           usd_per_t / usd_per_short_ton / usd_per_lb
//	dtoz, dto / df                          usd_per_troy_oz / usd_per_flask
//	mdol (x1e6)                             usd
//	ct, kct (x1e3), mct (x1e6)              carats
//	mcm (x1e6)                              m3
//	pct / num, um, m                        pct / employees
//
// Tungsten and manganese prices, published under _dt, are quoted per metric
// ton unit (mtu, 10 kg): usd_per_mtu_wo3 (of WO3) and usd_per_mtu_mn (of
// contained Mn), kept in that unit (mtuPrices).
//
// Price_Index_* is unit 'index'. A price column whose suffix is a quantity
// unit (Bauxite_Price_kt, Price_Zircon_imported_t) has no known unit: its
// cells are rejected rather than given a guessed one. A column with no unit
// (Consump_, Stocks_) takes the table's one mass unit, or is an error when
// the table has several. Known publisher slips are corrected in unitErrata
// (gallium's "_g" columns hold kilograms).
//
// Years: salient rows carry a Year column; world columns carry the year in
// their name. Reserves without a year are the edition's year minus one
// (MCS2024 reports reserves at the end of 2023). Estimates ("_est_" in a
// world column, an "e" mark before or after a figure) are not part of the
// key: the next edition's final figure must replace the estimate in
// mineral_statistics_latest, so the estimate is recorded only by
// source_column (the file's own column name). Qualifier 'E' keeps its USGS
// meaning, net exporter.
//
// Cells: numbers with thousands separators, W, NA, E, XX, >n, <n (via
// etl.ParseQualified), a Unicode minus, and "Less than ½ unit" (value 0.5,
// qualifier '<'). Any other text (a range such as "500–14,000", "Small",
// "Included in World total.") is a rejection naming file, row and column;
// empty cells give no row. Notes columns are free text and not read.
//
// Layout faults are rejected, not guessed at: a salient row with figures
// under columns that have no name does not line up with its header (one
// figure too many shifts every column after it), so the whole row is
// rejected; in world tables, which carry notes and copies past their last
// column, only the unnamed cells are.
//
// Files: paths may name files (read whatever their name), globs, or
// folders, searched recursively for mcsYYYY-<abbr>_salient / _world .csv
// and .xlsx only, so that the release's summary tables (other layouts) in
// the same folder are left alone. World tables have no Commodity column:
// their commodity comes from the file name's abbreviation (abbrCommodity).
//
// Countries in world tables: "World total..." is WLD; "Other countries" is
// OTH only if the country table knows that code, else a rejection; other
// names go through etl.CountryByName after footnote digits (and a glued
// "e" estimate mark) are removed. A name that is no country but lists
// known countries ("United States and Canada", "Belgium-Luxembourg") is
// the area XGR, and one starting "Other " ("Other Europe") the area OTH;
// both carry their name in the product, so that two of them in one table
// stay apart. Areas are never rejected as unknown countries. A repeated column name (two Consump_t in
// one table) and a statistic already read from another file in the same
// load are rejected, as they cannot be told apart in the warehouse key.
package usgsmcs
