package comtrade_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/output/warehouse"
	"github.com/tradewh/tradewh/sources/comtrade"
)

// asV1Body writes the records of a saved Comtrade CSV as the v1 response
// body they came from.
func asV1Body(t *testing.T, csvPath, out string) {
	t.Helper()
	recs := etltest.ReadCSV(t, csvPath)
	var data []map[string]any
	for _, r := range recs[1:] {
		m := map[string]any{}
		for i, h := range recs[0] {
			switch v := r[i]; {
			case v == "":
				m[h] = nil
			case v == "True" || v == "False":
				m[h] = v == "True"
			default:
				if n, err := strconv.ParseFloat(v, 64); err == nil && h != "cmdCode" && h != "classificationCode" && h != "customsCode" {
					m[h] = n
				} else {
					m[h] = v
				}
			}
		}
		data = append(data, m)
	}
	b, err := json.Marshal(map[string]any{"elapsedTime": "0.5 secs", "count": len(data), "data": data, "error": ""})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// openLoader opens a warehouse in dir, closed when the test ends, and a
// pipeline that loads into it.
func openLoader(t *testing.T, dir string) (*warehouse.Warehouse, *etl.Pipeline) {
	t.Helper()
	w, err := warehouse.Open(context.Background(), warehouse.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w, &etl.Pipeline{Store: w, Runtime: etl.Runtime{Logger: slog.New(slog.DiscardHandler)}}
}

func queryInt(t *testing.T, w *warehouse.Warehouse, q string) int64 {
	t.Helper()
	var n int64
	if err := w.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// The same records read from a saved CSV and from a saved response are one
// source: loading both leaves one row per record, each keeping its file.
// A warehouse that holds them twice under the old source names is made
// whole by the migration.
func TestOneComtradeSource(t *testing.T) {
	csvPath := etltest.SharedFile(t, "comtrade/comtrade_gallium_usa_chn_2020_2024.csv")
	jsonPath := filepath.Join(t.TempDir(), "gallium.json")
	asV1Body(t, csvPath, jsonPath)
	ctx := context.Background()
	dir := t.TempDir()
	w, err := warehouse.Open(ctx, warehouse.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	p := etl.Pipeline{Store: w, Runtime: etl.Runtime{Logger: slog.New(slog.DiscardHandler)}}
	load := func(kind, path string) etl.LoadStats {
		st, err := p.Run(ctx, etl.JobSpec{Name: "one-" + kind, Kind: kind, Config: map[string]any{"paths": []any{path}}})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		return st.LoadStats
	}
	if st := load(comtrade.KindCSV, csvPath); st.Loaded != 40 {
		t.Fatalf("csv: %+v", st)
	}
	if st := load(comtrade.KindJSON, jsonPath); st.Loaded != 0 || st.Unchanged != 40 {
		t.Errorf("the same records as a saved response: %+v, want 40 unchanged", st)
	}
	if n := queryInt(t, w, `SELECT count(*) FROM trade_flows WHERE source = 'comtrade'`); n != 40 {
		t.Errorf("%d rows, want 40", n)
	}
	if n := queryInt(t, w, `SELECT count(DISTINCT source_ref) FROM trade_flows`); n != 1 {
		t.Errorf("%d files behind the rows, want the CSV's only", n)
	}

	// A warehouse from before: the CSV's rows under comtrade-csv, the
	// response's under comtrade-json, every key current twice.
	for _, q := range []string{
		`UPDATE trade_flow_parts SET source = 'comtrade-csv'`,
		`DELETE FROM schema_migrations WHERE name LIKE '009%'`,
	} {
		if _, err := w.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if st := load(comtrade.KindJSON, jsonPath); st.Loaded != 40 {
		t.Fatalf("json beside the old source: %+v", st)
	}
	if _, err := w.DB().Exec(`UPDATE trade_flow_parts SET source = 'comtrade-json' WHERE source = 'comtrade'`); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, w, `SELECT count(*) FROM trade_flows`); n != 80 {
		t.Fatalf("%d rows before the migration, want the doubled 80", n)
	}
	w.Close()
	w, err = warehouse.Open(ctx, warehouse.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if n := queryInt(t, w, `SELECT count(*) FROM trade_flows WHERE source = 'comtrade'`); n != 40 {
		t.Errorf("%d current rows after the migration, want 40", n)
	}
	if n := queryInt(t, w, `SELECT count(*) FROM trade_flows_history`); n != 80 {
		t.Errorf("%d versions, want both forms' 80 in the history", n)
	}
	if n := queryInt(t, w, `SELECT count(*) FROM trade_flows WHERE source_ref LIKE '%.json'`); n != 40 {
		t.Errorf("%d current rows from the response loaded last, want 40", n)
	}
	if n := queryInt(t, w, `SELECT count(*) FROM mart_pending`); n != 5 {
		t.Errorf("%d periods pending for the marts, want the 5 years", n)
	}
}

// In one load of several files, the first file given wins a repeated key
// (then the first row in it), and each rejection names the kept copy.
func TestFirstFileWinsRepeatedKeys(t *testing.T) {
	recs := etltest.ReadCSV(t, etltest.SharedFile(t, "comtrade/comtrade_gallium_usa_chn_2020_2024.csv"))
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	dir := t.TempDir()
	write := func(name string, rows [][]string) string {
		var b bytes.Buffer
		cw := csv.NewWriter(&b)
		cw.Write(recs[0])
		cw.WriteAll(rows)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	heavy := write("heavy.csv", recs[1:])
	// light.csv: the same keys, last first, with other values
	var light [][]string
	for i := len(recs) - 1; i >= 1; i-- {
		r := append([]string(nil), recs[i]...)
		r[col["primaryValue"]] = "1.0"
		light = append(light, r)
	}
	lightPath := write("light.csv", light)
	ctx := context.Background()
	w, p := openLoader(t, t.TempDir())
	st, err := p.Run(ctx, etl.JobSpec{Name: "two", Kind: comtrade.KindCSV, Config: map[string]any{"paths": []any{heavy, lightPath}}})
	if err != nil {
		t.Fatal(err)
	}
	if st.Loaded != 40 || st.Rejected != 40 {
		t.Errorf("%+v, want 40 loaded and 40 rejected", st)
	}
	if n := queryInt(t, w, `SELECT count(*) FROM trade_flows WHERE source_ref = '`+heavy+`' AND value_usd <> 1`); n != 40 {
		t.Errorf("%d of 40 keys kept from the first file", n)
	}
	// light.csv row i repeats heavy.csv row 41-i
	if n := queryInt(t, w, `SELECT count(*) FROM rejected_rows WHERE source_ref = '`+lightPath+`'
		AND reason = 'duplicate of `+heavy+` row ' || (41 - source_row)`); n != 40 {
		t.Errorf("%d of 40 rejections name the kept copy", n)
	}
}
