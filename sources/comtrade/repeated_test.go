package comtrade_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/sources/comtrade"
)

// A field given twice is not resolved by picking one: a CSV with a
// repeated column is refused naming it, with nothing loaded, and a JSON
// record with a repeated key is rejected naming the key while the other
// records load.
func TestRepeatedFieldIsRefused(t *testing.T) {
	const header = "freqCode,period,reporterCode,partnerCode,flowCode,cmdCode,classificationCode,primaryValue"
	record := func(partner, value string) string {
		return `{"freqCode":"A","period":"2023","reporterCode":842,"partnerCode":` + partner +
			`,"flowCode":"M","cmdCode":"811292","classificationCode":"H6","primaryValue":` + value + `}`
	}
	for _, tc := range []struct {
		name, kind, file, text string
		wantErr                []string // in the load's error; nil: the load succeeds
		loaded                 int64
		rejected               string // source_row:source_column reason of the rejections
	}{
		{"CSV with two primaryValue columns", comtrade.KindCSV, "flows.csv",
			header + ",netWgt,primaryValue\nA,2023,842,156,M,811292,H6,1500,20,15000\n",
			[]string{"flows.csv", `"primaryValue"`, "columns 8 and 10"}, 0, ""},
		{"CSV with a column repeated, the first after a byte-order mark", comtrade.KindCSV, "flows.csv",
			"\ufeffperiod," + header + "\n2023,A,2023,842,156,M,811292,H6,1500\n",
			[]string{"flows.csv", `"period"`, "columns 1 and 3"}, 0, ""},
		{"CSV with blank trailing columns", comtrade.KindCSV, "flows.csv",
			header + ",,\nA,2023,842,156,M,811292,H6,1500,,\n", nil, 1, ""},
		{"JSON record with primaryValue twice", comtrade.KindJSON, "get.json",
			`{"count":2,"data":[` + record("156", `1500,"primaryValue":15000`) + "," + record("0", "3000") + `],"error":""}`,
			nil, 1, `1:primaryValue "primaryValue" appears twice in the record`},
		{"JSON record with a repeated key inside a nested object only", comtrade.KindJSON, "get.json",
			`{"count":1,"data":[` + strings.TrimSuffix(record("156", "1500"), "}") + `,"extra":{"a":1,"a":2}}],"error":""}`,
			nil, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			w, p := openLoader(t, t.TempDir())
			_, err := p.Run(ctx, etl.JobSpec{Name: "repeated", Kind: tc.kind, Config: map[string]any{"paths": []any{path}}})
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("load: %v", err)
			case tc.wantErr != nil && err == nil:
				t.Fatalf("loaded, want an error naming %q", tc.wantErr)
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %s", err, s)
				}
			}
			if n := queryInt(t, w, "SELECT count(*) FROM trade_flows"); n != tc.loaded {
				t.Errorf("%d rows loaded, want %d", n, tc.loaded)
			}
			var rej string
			if err := w.DB().QueryRow(`SELECT coalesce(string_agg(source_row || ':' || source_column || ' ' || reason, '; '), '')
				FROM rejected_rows`).Scan(&rej); err != nil {
				t.Fatal(err)
			}
			if rej != tc.rejected {
				t.Errorf("rejected %q, want %q", rej, tc.rejected)
			}
		})
	}
}
