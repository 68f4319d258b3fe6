package demo

import (
	"fmt"
	"sort"
)

// The demo's figures are realistic in size and shape (US import values of
// the order published by UN Comtrade and USGS, China's dominant shares, the
// 2023-2024 export controls) but they are the project's own illustration,
// not published statistics.

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

// salientHeader and salientRows are a USGS MCS salient table in the CSV
// layout USGS publishes (BOM, unit suffixes in column names, qualifiers).
var salientTables = []struct {
	file   string
	header []string
	rows   [][]string
}{
	{"mcs2025-raree_salient.csv",
		[]string{"DataSource", "Commodity", "Year", "USprod_Concentrate_t", "Imports_Compounds_t", "Imports_Metals_t",
			"Exports_Ores-Compounds_t", "Consump_Compounds-Metals_t", "Price_Nd2O3_dkg", "NIR_Compounds-Metals_pct"},
		[][]string{
			{"MCS2025", "Rare Earths", "2020", "39000", "6500", "360", "40000", "6500", "49", "100"},
			{"MCS2025", "Rare Earths", "2021", "42000", "7700", "580", "46000", "\"7,900\"", "98", ">95"},
			{"MCS2025", "Rare Earths", "2022", "43000", "10800", "490", "46000", "\"10,300\"", "134", ">95"},
			{"MCS2025", "Rare Earths", "2023", "41000", "8700", "570", "40000", "8700", "80", ">95"},
			{"MCS2025", "Rare Earths", "2024", "45000", "7300", "530", "43000", "7600", "60", "80"},
		}},
	{"mcs2025-galli_salient.csv",
		[]string{"DataSource", "Commodity", "Year", "USprod_Primary_kg", "Imports_Metal_kg", "Imports_GaAs_kg",
			"Consump_kg", "Price_High-purity_dkg", "NIR_pct"},
		[][]string{
			{"MCS2025", "Gallium", "2020", "0", "4430", "208000", "15700", "596", "100"},
			{"MCS2025", "Gallium", "2021", "0", "8890", "306000", "17100", "625", "100"},
			{"MCS2025", "Gallium", "2022", "0", "11400", "424000", "19700", "560", "100"},
			{"MCS2025", "Gallium", "2023", "0", "9330", "150000", "19000", "450", "100"},
			{"MCS2025", "Gallium", "2024", "0", "6100", "140000", "17000", "W", "100"},
		}},
	{"mcs2025-antim_salient.csv",
		[]string{"DataSource", "Commodity", "Year", "Imports_Metal_t", "Imports_Oxide_t", "Consump_t", "Price_dkg", "NIR_pct"},
		[][]string{
			{"MCS2025", "Antimony", "2020", "6900", "15900", "22500", "5.8", "80"},
			{"MCS2025", "Antimony", "2021", "7500", "16700", "23700", "10.7", "81"},
			{"MCS2025", "Antimony", "2022", "7100", "15800", "23200", "13.2", "84"},
			{"MCS2025", "Antimony", "2023", "6200", "14300", "21000", "12.7", "82"},
			{"MCS2025", "Antimony", "2024", "5100", "13800", "19500", "NA", "85"},
		}},
	{"mcs2025-graph_salient.csv",
		[]string{"DataSource", "Commodity", "Year", "Imports_Natural_t", "Exports_Natural_t", "Consump_Natural_t", "NIR_pct"},
		[][]string{
			{"MCS2025", "Graphite", "2020", "53000", "7900", "45000", "100"},
			{"MCS2025", "Graphite", "2021", "58000", "9200", "49000", "100"},
			{"MCS2025", "Graphite", "2022", "80000", "10800", "69000", "100"},
			{"MCS2025", "Graphite", "2023", "68000", "9500", "58000", "100"},
			{"MCS2025", "Graphite", "2024", "61000", "8700", "52000", "100"},
		}},
}

// tungstenXLSX is a salient table shipped as a workbook, as analysts get them.
var tungstenXLSX = struct {
	header []string
	rows   [][]any
}{
	[]string{"DataSource", "Commodity", "Year", "Imports_Concentrate_t", "Imports_Ferrotungsten_t", "Consump_t", "NIR_pct"},
	[][]any{
		{"MCS2025", "Tungsten", 2020, 2600, 210, 9300, ">50"},
		{"MCS2025", "Tungsten", 2021, 3300, 260, 10200, ">50"},
		{"MCS2025", "Tungsten", 2022, 3500, 290, 10700, ">50"},
		{"MCS2025", "Tungsten", 2023, 3100, 240, 9900, ">50"},
		{"MCS2025", "Tungsten", 2024, 2900, 250, 9500, ">50"},
	},
}
