package etltest

import (
	"encoding/csv"
	"os"
	"strconv"
	"testing"
)

// ReadCSV reads every record of a CSV file, header first.
func ReadCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// RawUSGalliumShares computes China's share of US imports of HS 811292 per
// year, primaryValue(partner CHN) / primaryValue(partner World), from a
// Comtrade bulk CSV with nothing but encoding/csv: an oracle independent
// of the extractor and the warehouse that tests compare their results to.
func RawUSGalliumShares(t testing.TB, path string) map[int]float64 {
	t.Helper()
	recs := ReadCSV(t, path)
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	chn, wld := map[int]float64{}, map[int]float64{}
	for _, r := range recs[1:] {
		if r[col["reporterCode"]] != "842" || r[col["flowCode"]] != "M" || r[col["cmdCode"]] != "811292" {
			continue
		}
		y, _ := strconv.Atoi(r[col["refYear"]])
		v, err := strconv.ParseFloat(r[col["primaryValue"]], 64)
		if err != nil {
			t.Fatalf("%s: primaryValue %q: %v", path, r[col["primaryValue"]], err)
		}
		switch r[col["partnerCode"]] {
		case "156":
			chn[y] += v
		case "0":
			wld[y] += v
		}
	}
	out := map[int]float64{}
	for y, w := range wld {
		out[y] = chn[y] / w
	}
	return out
}
