// Package demo writes the offline demo inputs: a UN Comtrade v1 JSON
// response (annual and monthly) of illustrative trade flows, the real USGS
// MCS 2024 salient tables of the seed commodities as CSVs and one as an
// XLSX workbook, all in the formats the real publishers use, and the job
// specs that load them. `tradewh run` without --config runs these jobs, so
// a fresh machine with no network builds a complete warehouse.
package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/xuri/excelize/v2"

	"github.com/tradewh/tradewh/etl"
)

// IllustrativeFiles are the names of the demo's Comtrade responses: their
// flows are the project's own illustration, and the names say so, so every
// row's source_ref and the report built from them do too.
var IllustrativeFiles = []string{
	"comtrade_v1_get_A_usa_critical_minerals_illustrative.json",
	"comtrade_v1_get_M_usa_811292_illustrative.json",
}

// Write writes the demo inputs under dir (created if needed) and returns
// the jobs that load them, in order.
func Write(dir string) ([]etl.JobSpec, error) {
	comtradeDir := filepath.Join(dir, "comtrade")
	usgsDir := filepath.Join(dir, "usgs")
	for _, d := range []string{comtradeDir, usgsDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	var annual []record
	for _, s := range annualSeries {
		annual = append(annual, s.records("A", annualPeriods)...)
	}
	mg, months := monthlyGallium()
	files := map[string][]record{
		filepath.Join(comtradeDir, IllustrativeFiles[0]): annual,
		filepath.Join(comtradeDir, IllustrativeFiles[1]): mg.records("M", months),
	}
	var comtradeFiles []string
	for path, recs := range files {
		b, err := encodeResponse(recs)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return nil, err
		}
		comtradeFiles = append(comtradeFiles, path)
	}
	sort.Strings(comtradeFiles)
	for _, t := range salientTables {
		var b bytes.Buffer
		b.WriteString("\ufeff") // USGS files start with a byte-order mark
		w := csv.NewWriter(&b)
		w.UseCRLF = true
		if err := w.WriteAll(append([][]string{t.header}, t.rows...)); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(usgsDir, t.file), b.Bytes(), 0o644); err != nil {
			return nil, err
		}
	}
	if err := writeXLSX(filepath.Join(usgsDir, tungstenXLSX.file)); err != nil {
		return nil, err
	}
	measuresFile := filepath.Join(dir, "measures", "our_measures.yaml")
	if err := os.MkdirAll(filepath.Dir(measuresFile), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(measuresFile, []byte(userMeasures), 0o644); err != nil {
		return nil, err
	}
	return []etl.JobSpec{
		{Name: "demo-measures", Kind: "measures", Config: map[string]any{"paths": []any{measuresFile}}},
		{Name: "demo-comtrade", Kind: "comtrade-json", Config: map[string]any{"paths": toAny(comtradeFiles)}},
		{Name: "demo-usgs", Kind: "usgs-mcs", Config: map[string]any{"paths": []any{usgsDir}}},
	}, nil
}

func toAny(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

func writeXLSX(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Tungsten"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	for c, h := range tungstenXLSX.header {
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		if err := f.SetCellValue(sheet, cell, h); err != nil {
			return err
		}
	}
	for r, row := range tungstenXLSX.rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			if err := f.SetCellValue(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// userMeasures is a user's own measure file as the demo loads it beside
// the project's default measures (every warehouse has those: they are
// written on open). It adds a measure the default does not list.
const userMeasures = `# Trade measures of our own: they add to the project's default list
# (tradewh query "SELECT * FROM trade_measures"), and one with a default's
# measure_id overrides it. Load with: tradewh load --source measures FILE
measures:
  - measure_id: IDN-ESDM-2019-11
    imposing_iso3: IDN
    measure_type: ban
    title: Nickel ore exports banned
    announced_date: 2019-08-28
    effective_date: 2020-01-01
    hs_codes: [260400]
    hs_revision: HS2017
    citation: Regulation of the Minister of Energy and Mineral Resources No. 11 of 2019 (in force 2020-01-01)
    unsourced: "announced_date: the regulation's signing as reported in the press"
`
