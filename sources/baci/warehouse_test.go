package baci_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/output/warehouse"
	"github.com/tradewh/tradewh/sources/baci"
)

// The batches load into a real warehouse as they are (DuckDB reads the
// hand-built Arrow buffers), rejections land in rejected_rows, and a
// second load of the same file changes nothing.
func TestLoadIntoWarehouse(t *testing.T) {
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p := etl.Pipeline{Store: w, Runtime: etl.Runtime{Logger: slog.New(slog.DiscardHandler)}}
	job := etl.JobSpec{Name: "baci-test", Kind: baci.Kind, Config: map[string]any{"paths": paths(fixture), "hs_codes": paths("*")}}
	st, err := p.Run(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if st.RowsIn != 11 || st.Loaded != 7 || st.Rejected != 4 {
		t.Fatalf("first load %+v, want 11 in, 7 loaded, 4 rejected", st)
	}
	var got string
	err = w.DB().QueryRowContext(ctx, `SELECT string_agg(concat_ws('|', reporter_iso3, partner_iso3, hs_code, hs_revision,
		coalesce(commodity, '-'), value_usd, coalesce(CAST(net_weight_kg AS VARCHAR), '-'), coalesce(quantity_unit, '-'), source_row), ' ' ORDER BY source_row)
		FROM trade_flows WHERE source = 'baci'`).Scan(&got)
	if err != nil {
		t.Fatal(err)
	}
	want := "USA|CHN|280530|HS2017|rare_earths|1234567.0|12500.0|t|1 USA|CHN|010121|HS2017|-|5000.0|-|-|2 " +
		"USA|FRA|811292|HS2017|gallium_germanium|1.0|0.0|t|3 USA|S19|250410|HS2017|graphite|100500.0|-|-|6 " +
		"CHN|USA|810194|HS2017|tungsten|2250.0|-|-|7 DEU|CHN|381800|HS2017|-|3000.0|4000.0|t|8 " +
		"KOR|DEU|811299|HS2017|gallium_germanium|12000.0|300.0|t|11"
	if got != want {
		t.Errorf("trade_flows:\n got %s\nwant %s", got, want)
	}
	var rej string
	if err := w.DB().QueryRowContext(ctx, `SELECT string_agg(source_row || ':' || source_column, ' ' ORDER BY source_row) FROM rejected_rows`).Scan(&rej); err != nil {
		t.Fatal(err)
	}
	if rej != "4:i 5:v 9: 10:q" {
		t.Errorf("rejected_rows %q, want 4:i 5:v 9: 10:q", rej)
	}
	st, err = p.Run(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if st.Loaded != 0 || st.Unchanged != 7 {
		t.Errorf("second load %+v, want 7 unchanged", st)
	}

	// A later release of the file revises one value: the batches go
	// through staging and the merge, and history keeps both versions.
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	revised := strings.Replace(string(data), "1234.567", "1300", 1)
	if revised == string(data) {
		t.Fatal("fixture has no value 1234.567 to revise")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "BACI_HS17_Y2022_V202501.csv"), []byte(revised), 0o644); err != nil {
		t.Fatal(err)
	}
	cc, err := os.ReadFile("testdata/country_codes_V202401.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "country_codes_V202501.csv"), cc, 0o644); err != nil {
		t.Fatal(err)
	}
	job.Config["paths"] = paths(filepath.Join(dir, "BACI_HS17_Y2022_V202501.csv"))
	st, err = p.Run(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if st.Loaded != 1 || st.Revised != 1 || st.Unchanged != 6 {
		t.Errorf("revised release %+v, want 1 loaded (a revision), 6 unchanged", st)
	}
	err = w.DB().QueryRowContext(ctx, `SELECT string_agg(concat_ws('|', reporter_iso3, partner_iso3, hs_code, commodity, value_usd,
		valid_to IS NULL), ' ' ORDER BY valid_to NULLS LAST) FROM trade_flows_history WHERE hs_code = '280530'`).Scan(&got)
	if err != nil {
		t.Fatal(err)
	}
	if want := "USA|CHN|280530|rare_earths|1234567.0|false USA|CHN|280530|rare_earths|1300000.0|true"; got != want {
		t.Errorf("history of the revised flow:\n got %s\nwant %s", got, want)
	}
}

// One invalid UTF-8 byte in a key field rejects that row with its bytes
// escaped; the rest of the file loads into a real warehouse.
func TestInvalidUTF8RowIsRejected(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	body := "t,i,j,k,v,q\n2022,156,842,280530,1234.567,12.500\n2022,15\xff6,842,811292,1.000,2.000\n2022,156,842,81129\xe9,1.000,2.000\n2022,276,410,811299,12.000,0.300\n"
	if err := os.WriteFile(filepath.Join(dir, "BACI_HS17_Y2022_V202401.csv"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cc, err := os.ReadFile("testdata/country_codes_V202401.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "country_codes_V202401.csv"), cc, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := warehouse.Open(ctx, warehouse.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	p := etl.Pipeline{Store: w, Runtime: etl.Runtime{Logger: slog.New(slog.DiscardHandler)}}
	st, err := p.Run(ctx, etl.JobSpec{Name: "baci-utf8", Kind: baci.Kind,
		Config: map[string]any{"paths": paths(filepath.Join(dir, "BACI_HS17_Y2022_V202401.csv")), "hs_codes": paths("*")}})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if st.Loaded != 2 || st.Rejected != 2 {
		t.Errorf("%+v, want 2 loaded and 2 rejected", st)
	}
	var got string
	if err := w.DB().QueryRowContext(ctx, `SELECT string_agg(source_row || ':' || source_column || ':' || raw, ' ' ORDER BY source_row) FROM rejected_rows`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := `2:i:2022,15\xFF6,842,811292,1.000,2.000 3:k:2022,156,842,81129\xE9,1.000,2.000`; got != want {
		t.Errorf("rejected_rows\n got %s\nwant %s", got, want)
	}
}
