package demo

import (
	"fmt"
	"sort"
)

// The demo's trade flows are realistic in size and shape (US import values
// of the order published by UN Comtrade, China's dominant shares, the
// 2023-2024 export controls) but they are the project's own illustration,
// not published statistics: their files are named *_illustrative.json so
// every table's source_ref and the report say so. The USGS salient tables
// below are the real published figures.

var annualPeriods = []string{"2019", "2020", "2021", "2022", "2023"}

var annualSeries = []flowSeries{
	// Rare earths: compounds (2846 and its two sub-codes) and metals.
	{reporter: "USA", flow: "M", cmd: "2846", qtyUnit: "kg", unitValue: 9.5,
		totals: []float64{118e6, 83e6, 127e6, 196e6, 141e6},
		shares: map[string][]float64{"CHN": {.71, .68, .74, .72, .70}, "EST": {.07, .08, .06, .06, .07},
			"JPN": {.06, .07, .05, .05, .06}, "MYS": {.05, .06, .05, .06, .05}, "FRA": {.04, .03, .03, .03, .04}}},
	{reporter: "USA", flow: "M", cmd: "284610", qtyUnit: "kg", unitValue: 4.2,
		totals: []float64{26e6, 18e6, 24e6, 35e6, 27e6},
		shares: map[string][]float64{"CHN": {.78, .75, .79, .77, .74}, "JPN": {.08, .09, .07, .08, .09},
			"EST": {.05, .06, .05, .05, .06}}},
	{reporter: "USA", flow: "M", cmd: "284690", qtyUnit: "kg", unitValue: 12.8,
		totals: []float64{92e6, 65e6, 103e6, 161e6, 114e6},
		shares: map[string][]float64{"CHN": {.69, .66, .73, .71, .69}, "EST": {.08, .09, .06, .06, .07},
			"MYS": {.06, .07, .06, .07, .06}, "JPN": {.05, .06, .05, .04, .05}, "FRA": {.05, .04, .04, .04, .05}}},
	{reporter: "USA", flow: "M", cmd: "280530", qtyUnit: "kg", unitValue: 48,
		totals: []float64{31e6, 22e6, 37e6, 52e6, 44e6},
		shares: map[string][]float64{"CHN": {.82, .79, .84, .86, .83}, "JPN": {.09, .10, .08, .07, .09},
			"VNM": {.03, .04, .03, .03, .04}}},
	// Gallium and germanium (811292): China's share falls after the 2023 licensing.
	{reporter: "USA", flow: "M", cmd: "811292", qtyUnit: "kg", unitValue: 430,
		totals: []float64{24e6, 19e6, 23e6, 31e6, 22e6},
		shares: map[string][]float64{"CHN": {.55, .62, .45, .47, .28}, "DEU": {.12, .10, .14, .13, .20},
			"JPN": {.10, .09, .12, .11, .15}, "CAN": {.08, .07, .09, .10, .14}, "GBR": {.04, .04, .05, .05, .06}}},
	// Antimony: unwrought metal and powders.
	{reporter: "USA", flow: "M", cmd: "811010", qtyUnit: "kg", unitValue: 7.8,
		totals: []float64{58e6, 49e6, 72e6, 96e6, 83e6},
		shares: map[string][]float64{"CHN": {.63, .58, .61, .57, .52}, "BEL": {.08, .09, .07, .08, .09},
			"IND": {.07, .08, .08, .09, .11}, "MEX": {.06, .07, .06, .06, .07}, "BOL": {.04, .05, .05, .04, .05}}},
	// Natural graphite in flakes or powder.
	{reporter: "USA", flow: "M", cmd: "250410", qtyUnit: "kg", unitValue: 1.1,
		totals: []float64{61e6, 48e6, 57e6, 74e6, 69e6},
		shares: map[string][]float64{"CHN": {.36, .34, .38, .41, .39}, "MEX": {.22, .24, .21, .18, .19},
			"CAN": {.17, .18, .16, .15, .16}, "MDG": {.09, .08, .10, .11, .10}, "BRA": {.07, .07, .06, .07, .07}}},
	// Tungsten powders.
	{reporter: "USA", flow: "M", cmd: "810110", qtyUnit: "kg", unitValue: 52,
		totals: []float64{83e6, 64e6, 79e6, 92e6, 86e6},
		shares: map[string][]float64{"CHN": {.34, .31, .36, .33, .30}, "DEU": {.18, .19, .17, .18, .19},
			"CAN": {.12, .13, .12, .13, .14}, "AUT": {.09, .10, .09, .10, .10}, "KOR": {.08, .08, .09, .08, .09}}},
	// China's own reports of its exports to the USA, for the mirror table.
	{reporter: "CHN", flow: "X", cmd: "2846", qtyUnit: "kg", unitValue: 8.9,
		totals: []float64{612e6, 455e6, 781e6, 1.02e9, 744e6},
		shares: map[string][]float64{"USA": {.125, .113, .110, .127, .121}, "JPN": {.31, .30, .29, .28, .30}}},
	{reporter: "CHN", flow: "X", cmd: "811292", qtyUnit: "kg", unitValue: 410,
		totals: []float64{92e6, 81e6, 104e6, 121e6, 76e6},
		shares: map[string][]float64{"USA": {.131, .137, .094, .113, .075}, "JPN": {.22, .24, .23, .25, .26}}},
}

// monthlyGallium is the USA's monthly 811292 imports 2023-2024: China's
// share drops after the August 2023 export licensing.
func monthlyGallium() (flowSeries, []string) {
	var periods []string
	s := flowSeries{reporter: "USA", flow: "M", cmd: "811292", qtyUnit: "kg", unitValue: 430,
		shares: map[string][]float64{}}
	for y := 2023; y <= 2024; y++ {
		for m := 1; m <= 12; m++ {
			i := len(periods)
			periods = append(periods, fmt.Sprintf("%d%02d", y, m))
			s.totals = append(s.totals, 1.6e6+float64((i*37)%9)*0.11e6)
			chn := 0.46
			if i >= 7 { // from August 2023
				chn = 0.46 - 0.03*float64(i-6)
			}
			if chn < 0.05 {
				chn = 0.05
			}
			rest := 1 - chn
			s.shares["CHN"] = append(s.shares["CHN"], chn)
			s.shares["DEU"] = append(s.shares["DEU"], rest*0.36)
			s.shares["JPN"] = append(s.shares["JPN"], rest*0.28)
			s.shares["CAN"] = append(s.shares["CAN"], rest*0.22)
		}
	}
	return s, periods
}

func sortedKeys(m map[string][]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// salientTables are the USGS Mineral Commodity Summaries 2024 salient
// statistics of the seed commodities, figure for figure as published (USGS
// tables are public domain): the published column names, years and
// qualifiers (W withheld, NA not available, E net exporter, >95, >50). Write
// puts them in the CSV layout USGS publishes (BOM, CRLF, quoted thousands);
// the columns USGS leaves empty at the end of a row are left out.
var salientTables = []struct {
	file   string
	header []string
	rows   [][]string
}{
	{"mcs2024-raree_salient.csv",
		[]string{"DataSource", "Commodity", "Year", "USprod_Concentrate_t", "USprod_Compounds-Metals_t", "Imports_Compounds_t", "Imports_Alloys_t", "Imports_Metals_t", "Exports_Ores-Compounds_t", "Exports_Alloys_t", "Exports_Metals_t", "Consump_Compounds-Metals_t", "Price_CeO2_dkg", "Price_Dy2O3_dkg", "Price_Eu2O3_dkg", "Price_La2O3_dkg", "Price_Mischmetal_dkg", "Price_Nd2O3_dkg", "Price_TbO2_dkg", "Employment_m", "NIR_Compounds-Metals_t", "NIR_Concentrate_t"},
		[][]string{
			{"MCS2024", "Rare Earths", "2019", "28000", "0", "12200", "330", "627", "28300", "1290", "83", "11800", "2", "239", "35", "2", "6", "45", "507", "202", "100", "E"},
			{"MCS2024", "Rare Earths", "2020", "39000", "0", "6510", "270", "363", "40000", "625", "25", "6490", "2", "261", "31", "2", "5", "49", "670", "185", "100", "E"},
			{"MCS2024", "Rare Earths", "2021", "42000", "120", "7690", "330", "580", "46000", "825", "20", "7,900", "2", "410", "31", "2", "6", "98", "1346", "293", ">95", "E"},
			{"MCS2024", "Rare Earths", "2022", "42000", "95", "10700", "396", "487", "46000", "1500", "24", "10,200", "1", "382", "30", "1", "7", "134", "2051", "350", ">95", "E"},
			{"MCS2024", "Rare Earths", "2023", "43000", "250", "8800", "300", "580", "40000", "950", "64", "8800", "1", "323", "27", "1", "5", "80", "1300", "450", ">95", "E"},
		}},
	{"mcs2024-galli_salient.csv",
		[]string{"DataSource", "Commodity", "Year", "USprod_Primarykg", "Imports_Metalkg", "Imports_GaAskg", "Exports_g", "Consump_g", "Price_High-puritydkg", "Price_Low-puritydkg", "Stocks_g", "NIR_pct"},
		[][]string{
			{"MCS2024", "Gallium", "2019", "0", "5740", "289000", "NA", "14900", "573", "153", "2850", "100"},
			{"MCS2024", "Gallium", "2020", "0", "4430", "208000", "NA", "15700", "596", "163", "2920", "100"},
			{"MCS2024", "Gallium", "2021", "0", "8890", "306000", "NA", "17100", "625", "254", "2810", "100"},
			{"MCS2024", "Gallium", "2022", "0", "11400", "424000", "NA", "19700", "560", "394", "2780", "100"},
			{"MCS2024", "Gallium", "2023", "0", "9400", "150000", "NA", "19000", "450", "290", "2700", "100"},
		}},
	{"mcs2024-germa_salient.csv",
		[]string{"DataSource", "Commodity", "Year", "USprod_Primary_kg", "USprod_Secondary_kg", "Imports_Metal_kg", "Imports_GeO2_kg", "Imports_GeCl4_kg", "Exports_Metal_kg", "Exports_GeO2_kg", "Exports_GeCl4_kg", "Shipments_Gov_kg", "Consump_kg", "Price_Metal_dkg", "Price_GeO2_dkg", "NIR_pct"},
		[][]string{
			{"MCS2024", "Germanium", "2019", "0", "NA", "14000", "21000", "NA", "3900", "600", "NA", "0", "30000", "1236", "913", ">50"},
			{"MCS2024", "Germanium", "2020", "0", "NA", "14000", "11000", "NA", "4000", "800", "NA", "0", "30000", "1046", "724", ">50"},
			{"MCS2024", "Germanium", "2021", "0", "NA", "13000", "17000", "NA", "5500", "400", "NA", "0", "30000", "1187", "770", ">50"},
			{"MCS2024", "Germanium", "2022", "0", "NA", "16000", "15000", "NA", "6600", "100", "NA", "0", "NA", "1294", "828", ">50"},
			{"MCS2024", "Germanium", "2023", "0", "NA", "24000", "14000", "NA", "6300", "100", "NA", "NA", "NA", "1400", "880", ">50"},
		}},
	{"mcs2024-antim_salient.csv",
		[]string{"DataSource", "Commodity", "Year", "USprod_Mine_t", "USprod_Smelter-primary_t", "USprod_Smelter-secondary_t", "Imports_Ore_t", "Imports_Oxide_t", "Imports_Unwrought_t", "Imports_Scrap_t", "Exports_Ore_t", "Exports_Oxide_t", "Exports_Unwrought_t", "Exports_Scrap_t", "Consump_t", "Price_Metal_dlb", "NIR_pct"},
		[][]string{
			{"MCS2024", "Antimony", "2019", "0", "377", "4140", "121", "17200", "6670", "17", "9", "1570", "370", "14", "26100", "3.90", "84"},
			{"MCS2024", "Antimony", "2020", "0", "254", "3520", "105", "15000", "5520", "6", "10", "1230", "393", "11", "22400", "2.67", "84"},
			{"MCS2024", "Antimony", "2021", "0", "NA", "4050", "31", "19100", "7480", "13", "9", "1530", "921", "136", "28200", "5.31", "86"},
			{"MCS2024", "Antimony", "2022", "0", "NA", "4100", "29", "16900", "8300", "71", "53", "2420", "1820", "26", "25100", "6.18", "84"},
			{"MCS2024", "Antimony", "2023", "0", "NA", "4000", "8", "14000", "8300", "5", "30", "1800", "2100", "3", "22000", "5.60", "82"},
		}},
	{"mcs2024-graph_salient.csv",
		[]string{"DataSource", "Commodity", "Year", "USprod_t", "Imports_t", "Exports_t", "Consump_t", "Price_Flake_dt", "Price_Lump_dt", "Price_Amorphous_dt", "NIR_pct"},
		[][]string{
			{"MCS2024", "Graphite (Natural)", "2019", "0", "50100", "5880", "44200", "1340", "2380", "511", "100"},
			{"MCS2024", "Graphite (Natural)", "2020", "0", "36000", "5920", "30000", "1340", "2940", "567", "100"},
			{"MCS2024", "Graphite (Natural)", "2021", "0", "53000", "8660", "44300", "1330", "2010", "629", "100"},
			{"MCS2024", "Graphite (Natural)", "2022", "0", "89200", "9500", "79700", "1200", "2590", "563", "100"},
			{"MCS2024", "Graphite (Natural)", "2023", "0", "84000", "8400", "76000", "1200", "2500", "565", "100"},
		}},
}

// tungstenXLSX is MCS 2024's tungsten salient table shipped as a workbook,
// as analysts get them: figures as numbers, qualifiers as text.
var tungstenXLSX = struct {
	file   string
	header []string
	rows   [][]any
}{
	"mcs2024-tungs_salient.xlsx",
	[]string{"DataSource", "Commodity", "Year", "USprod_Minet", "USprod_Secondaryt", "Imports_Concentratet", "Imports_Othert", "Exports_Concentratet", "Exports_Othert", "Shipments_Concentratet", "Shipments_Othert", "Consump_Reportedt", "Consump_Apparentt", "Price_WO3dt", "Stocks_", "NIR_ct"},
	[][]any{
		{"MCS2024", "Tungsten", 2019, 0, "W", 2760, 11100, 583, 2780, 663, 0, "W", "W", 198, "W", ">50"},
		{"MCS2024", "Tungsten", 2020, 0, "W", 2020, 8660, 480, 2470, 728, 34, "W", "W", 172, "W", ">50"},
		{"MCS2024", "Tungsten", 2021, 0, "W", 1600, 10500, 441, 2970, 1030, 93, "W", "W", 225, "W", ">50"},
		{"MCS2024", "Tungsten", 2022, 0, "W", 2130, 12300, 614, 3680, 689, 0, "W", "W", 275, "W", ">50"},
		{"MCS2024", "Tungsten", 2023, 0, "W", 1500, 10000, 550, 3300, "NA", "NA", "W", "W", 260, "W", ">50"},
	},
}
