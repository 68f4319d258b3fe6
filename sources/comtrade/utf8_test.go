package comtrade_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
	"github.com/tradewh/tradewh/sources/comtrade"
)

// One invalid UTF-8 byte in a key field rejects that row, with its bytes
// escaped, and the rest of the real file loads into a real warehouse.
func TestInvalidUTF8RowIsRejectedAndTheRestLoads(t *testing.T) {
	data, err := os.ReadFile(etltest.SharedFile(t, "comtrade/comtrade_gallium_usa_chn_2020_2024.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	// data row 3: reporterCode 842 -> 84\xff2; data row 5: a unit abbreviation in Latin-1
	lines[3] = strings.Replace(lines[3], ",842,", ",84\xff2,", 1)
	f := strings.Split(lines[5], ",")
	f[30] = "k\xe9g"
	lines[5] = strings.Join(f, ",")
	path := filepath.Join(t.TempDir(), "gallium.csv")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, p := openLoader(t, t.TempDir())
	st, err := p.Run(ctx, etl.JobSpec{Name: "utf8", Kind: comtrade.KindCSV, Config: map[string]any{"paths": []any{path}}})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if st.Loaded != 38 || st.Rejected != 2 {
		t.Errorf("loaded %d, rejected %d; want 38 and 2", st.Loaded, st.Rejected)
	}
	rows, err := w.DB().QueryContext(ctx, `SELECT source_row, source_column, reason, raw FROM rejected_rows ORDER BY source_row`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var row int64
		var col, reason, raw string
		if err := rows.Scan(&row, &col, &reason, &raw); err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(raw) {
			t.Errorf("row %d: raw is not UTF-8", row)
		}
		got = append(got, col+": "+reason)
		if !strings.Contains(raw, `\xFF`) && !strings.Contains(raw, `\xE9`) {
			t.Errorf("row %d: raw %q does not show the bad byte", row, raw)
		}
	}
	want := []string{`reporterCode: reporterCode "84\\xFF2" is not valid UTF-8 text (save the file as UTF-8)`,
		`qtyUnitAbbr: qtyUnitAbbr "k\\xE9g" is not valid UTF-8 text (save the file as UTF-8)`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rejections:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The verbatim cmdCode=TOTAL response loads into a real warehouse, marts
// rebuilt, with no rejection: TOTAL is kept as a code of no commodity group.
func TestTotalResponseLoadsIntoWarehouse(t *testing.T) {
	path := etltest.SharedFile(t, "comtrade/comtrade_api_v1_get_response.json")
	ctx := context.Background()
	w, p := openLoader(t, t.TempDir())
	st, err := p.Run(ctx, etl.JobSpec{Name: "total", Kind: comtrade.KindJSON, Config: map[string]any{"paths": []any{path}}})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if st.Loaded != 4 || st.Rejected != 0 {
		t.Errorf("loaded %d, rejected %d; want 4 and 0", st.Loaded, st.Rejected)
	}
	var n int
	if err := w.DB().QueryRowContext(ctx, `SELECT count(*) FROM trade_flows WHERE hs_code = 'TOTAL' AND commodity IS NULL`).Scan(&n); err != nil || n != 4 {
		t.Errorf("%d TOTAL rows without a commodity (%v), want 4", n, err)
	}
}

// Loading the same file again leaves one copy of each rejected row.
func TestReloadKeepsOneCopyOfEachRejection(t *testing.T) {
	ctx := context.Background()
	w, p := openLoader(t, t.TempDir())
	job := etl.JobSpec{Name: "bad", Kind: comtrade.KindCSV, Config: map[string]any{"paths": []any{"testdata/bad_rows.csv"}}}
	for i := 0; i < 3; i++ {
		st, err := p.Run(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		if st.Rejected != 5 {
			t.Fatalf("load %d: %d rejected, want 5", i+1, st.Rejected)
		}
	}
	var n, runs int
	if err := w.DB().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT run_id) FROM rejected_rows`).Scan(&n, &runs); err != nil {
		t.Fatal(err)
	}
	if n != 5 || runs != 1 {
		t.Errorf("%d rejected rows from %d runs after three loads, want the first load's 5", n, runs)
	}
}
