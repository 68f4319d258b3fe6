package census

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/sources/fetch"
)

var now = time.Date(2025, 3, 17, 12, 0, 0, 0, time.UTC)

func mustParse(t *testing.T, raw map[string]any) Config {
	t.Helper()
	cfg, probs := Spec.Validate(raw)
	if len(probs) > 0 {
		t.Fatalf("config problems: %v", probs)
	}
	c, err := ParseConfig(cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// span renders a request's months.
func span(r Request) string { return r.From.Format("2006-01") + ".." + r.To.Format("2006-01") }

func TestPlanMonths(t *testing.T) {
	tests := []struct {
		name     string
		from, to any
		want     []string
	}{
		{"one month", "2024-01", "2024-01", []string{"2024-01..2024-01"}},
		{"a calendar year is one request", "2024-01", "2024-12", []string{"2024-01..2024-12"}},
		{"13 months split at the year", "2022-12", "2023-12", []string{"2022-12..2022-12", "2023-01..2023-12"}},
		{"partial years at both ends", "2021-03", "2023-05",
			[]string{"2021-03..2021-12", "2022-01..2022-12", "2023-01..2023-05"}},
		{"bare years", "2022", "2023", []string{"2022-01..2022-12", "2023-01..2023-12"}},
		{"YYYYMM", "202311", "202402", []string{"2023-11..2023-12", "2024-01..2024-02"}},
		{"to defaults to the current month", "2024-06", nil, []string{"2024-06..2024-12", "2025-01..2025-03"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, map[string]any{"hs_codes": []any{"811292"}, "flows": []any{"import"},
				"from": tt.from, "to": tt.to})
			var got []string
			months := 0
			for _, r := range Plan(c) {
				n := (r.To.Year()-r.From.Year())*12 + int(r.To.Month()-r.From.Month()) + 1
				if n < 1 || n > MaxMonths {
					t.Errorf("request %s spans %d months", span(r), n)
				}
				months += n
				got = append(got, span(r))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan %v, want %v", got, tt.want)
			}
			want := (c.To.Year()-c.From.Year())*12 + int(c.To.Month()-c.From.Month()) + 1
			if months != want {
				t.Errorf("plan covers %d months, want %d", months, want)
			}
		})
	}
}

func TestPlanCodesFlowsCountries(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]any
		want []string // flow code country, one per request
	}{
		{"a group's codes, 2846 covering its subheadings", map[string]any{"commodities": []any{"rare_earths"}},
			[]string{"import 280530 ", "import 2846 ", "export 280530 ", "export 2846 "}},
		{"groups and codes deduplicated", map[string]any{"commodities": []any{"antimony"}, "hs_codes": []any{"8110", "811020", "261710"},
			"flows": []any{"export"}},
			[]string{"export 2617 ", "export 282580 ", "export 8110 "}},
		{"countries, WLD as the total", map[string]any{"hs_codes": []any{"811292"}, "countries": []any{"CHN", "wld", "CHN"},
			"flows": []any{"import"}},
			[]string{"import 811292 5700", "import 811292 -"}},
		{"HS10 level keeps 8-digit codes", map[string]any{"hs_codes": []any{"81129210", "811292"}, "level": "HS10",
			"flows": []any{"import"}},
			[]string{"import 811292 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := map[string]any{"from": "2024-01", "to": "2024-12"}
			for k, v := range tt.raw {
				raw[k] = v
			}
			var got []string
			for _, r := range Plan(mustParse(t, raw)) {
				got = append(got, r.Flow+" "+r.Code+" "+r.Country)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("plan %q, want %q", got, tt.want)
			}
		})
	}
}

func TestURL(t *testing.T) {
	tests := []struct {
		name string
		raw  map[string]any
		r    Request
		key  string
		want string
	}{
		{"imports HS6 exact code, a year, keyed", map[string]any{},
			Request{Flow: FlowImport, Code: "811292", From: ym(2024, 1), To: ym(2024, 12)}, testKey,
			"https://api.census.gov/data/timeseries/intltrade/imports/hs?get=I_COMMODITY,CTY_CODE,CTY_NAME,GEN_VAL_MO,GEN_QY1_MO,UNIT_QY1" +
				"&I_COMMODITY=811292&COMM_LVL=HS6&time=from+2024-01+to+2024-12&key=" + testKey},
		{"4-digit code is a wildcard, one month, one partner", map[string]any{},
			Request{Flow: FlowImport, Code: "2846", From: ym(2024, 3), To: ym(2024, 3), Country: "5700"}, "",
			"https://api.census.gov/data/timeseries/intltrade/imports/hs?get=I_COMMODITY,CTY_CODE,CTY_NAME,GEN_VAL_MO,GEN_QY1_MO,UNIT_QY1" +
				"&I_COMMODITY=2846*&COMM_LVL=HS6&time=2024-03&CTY_CODE=5700"},
		{"exports HS10", map[string]any{"level": "HS10"},
			Request{Flow: FlowExport, Code: "811292", From: ym(2021, 6), To: ym(2021, 6), Country: "-"}, "",
			"https://api.census.gov/data/timeseries/intltrade/exports/hs?get=E_COMMODITY,CTY_CODE,CTY_NAME,ALL_VAL_MO,QTY_1_MO,UNIT_QY1" +
				"&E_COMMODITY=811292*&COMM_LVL=HS10&time=2021-06&CTY_CODE=-"},
		{"imports for consumption", map[string]any{"value_field": "CON_VAL_MO", "base_url": "http://127.0.0.1:9/"},
			Request{Flow: FlowImport, Code: "811292", From: ym(2024, 1), To: ym(2024, 1)}, "",
			"http://127.0.0.1:9/data/timeseries/intltrade/imports/hs?get=I_COMMODITY,CTY_CODE,CTY_NAME,CON_VAL_MO,CON_QY1_MO,UNIT_QY1" +
				"&I_COMMODITY=811292&COMM_LVL=HS6&time=2024-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := map[string]any{"hs_codes": []any{"811292"}, "from": "2024-01"}
			for k, v := range tt.raw {
				raw[k] = v
			}
			got := mustParse(t, raw).URL(tt.r, tt.key)
			if got != tt.want {
				t.Errorf("URL\n got %s\nwant %s", got, tt.want)
			}
			if red := fetch.Redact(got); strings.Contains(red, "key=") || strings.Contains(red, testKey) {
				t.Errorf("redacted URL keeps the key: %s", red)
			}
		})
	}
}

func ym(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

func TestParseConfigProblems(t *testing.T) {
	tests := []struct {
		name string
		raw  etl.Config
		want string
	}{
		{"no codes", etl.ConfigOf(Spec, map[string]any{"from": "2024-01"}), "commodities: give commodity groups or hs_codes"},
		{"code longer than the level", etl.ConfigOf(Spec, map[string]any{"hs_codes": []string{"8112921000"}, "from": "2024-01"}),
			`hs_codes: "8112921000" has more digits than level HS6`},
		{"not a code", etl.ConfigOf(Spec, map[string]any{"hs_codes": []string{"81a2"}, "from": "2024-01"}), `hs_codes: "81a2" is not an HS code`},
		{"unknown group", etl.ConfigOf(Spec, map[string]any{"commodities": []string{"unobtainium"}, "from": "2024-01"}), `unknown commodity group "unobtainium"`},
		{"unknown country", etl.ConfigOf(Spec, map[string]any{"hs_codes": []string{"2846"}, "countries": []string{"XYZ"}, "from": "2024-01"}),
			`countries: "XYZ" is not a known country`},
		{"area without a Schedule C code", etl.ConfigOf(Spec, map[string]any{"hs_codes": []string{"2846"}, "countries": []string{"S19"}, "from": "2024-01"}),
			"has no Census Schedule C code"},
		{"bad month", etl.ConfigOf(Spec, map[string]any{"hs_codes": []string{"2846"}, "from": "2024-13"}), `from: "2024-13" is not a month YYYY-MM`},
		{"missing from", etl.ConfigOf(Spec, map[string]any{"hs_codes": []string{"2846"}}), "from: is required"},
		{"to before from", etl.ConfigOf(Spec, map[string]any{"hs_codes": []string{"2846"}, "from": "2024-05", "to": "2024-04"}),
			"to: 2024-04 is before from 2024-05"},
		{"bad flow", etl.ConfigOf(Spec, map[string]any{"hs_codes": []string{"2846"}, "from": "2024-01", "flows": []string{"re-export"}}),
			`flows: "re-export" is not import or export`},
		{"bad base URL", etl.ConfigOf(Spec, map[string]any{"hs_codes": []string{"2846"}, "from": "2024-01", "base_url": "api.census.gov"}),
			`base_url: "api.census.gov" is not an http(s) URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig(tt.raw, now)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSpecDefaults(t *testing.T) {
	k, ok := etl.LookupKind(KindName)
	if !ok || k.Table != etl.TradeFlows {
		t.Fatalf("kind %s not registered for trade_flows: %+v", KindName, k)
	}
	cfg, probs := k.Spec.Validate(map[string]any{"commodities": []any{"graphite"}, "from": "2021"})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	c, err := ParseConfig(cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{BaseURL: DefaultBaseURL, Flows: []string{"import", "export"}, Level: "HS6",
		Codes: []string{"2504", "380110"}, From: ym(2021, 1), To: ym(2025, 3), ValueField: "GEN_VAL_MO"}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("config %+v\nwant %+v", c, want)
	}
	r := cfg.Reads()
	if rate, env := r.Float("rate_per_second"), r.String("api_key_env"); rate != 2 || env != DefaultKeyEnv {
		t.Errorf("defaults: rate %v, key env %q", rate, env)
	}
	if err := r.Err(); err != nil {
		t.Error(err)
	}
	for _, f := range []string{"value_field", "level", "api_key_env", "countries"} {
		if !strings.Contains(k.Spec.Doc(), f) {
			t.Errorf("spec doc lacks %s", f)
		}
	}
}

func TestIsGrouping(t *testing.T) {
	groupings := []string{"0001", "0003", "0014", "0017", "0020", "0021", "0022", "0023", "0024", "0025", "0026",
		"1XXX", "2XXX", "3XXX", "4XXX", "5XXX", "6XXX", "7XXX"}
	countries := []string{"1010", "1220", "2010", "3570", "4280", "5700", "5880", "6021", "7910", "9030", "-", ""}
	for _, c := range groupings {
		if !isGrouping(c) {
			t.Errorf("%q is a grouping", c)
		}
	}
	for _, c := range countries {
		if isGrouping(c) {
			t.Errorf("%q is not a grouping", c)
		}
	}
	// Every Schedule C code of the countries table is a country.
	for _, c := range etl.Countries() {
		if c.Census != "" && isGrouping(c.Census) {
			t.Errorf("%s's code %s taken for a grouping", c.ISO3, c.Census)
		}
	}
}
