package comtrade

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

func mustParse(t *testing.T, cfg etl.Config, keyed bool) APIConfig {
	t.Helper()
	c, err := ParseAPIConfig(cfg, keyed)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPlanPeriods(t *testing.T) {
	tests := []struct {
		name     string
		freq     string
		from, to string
		want     [][2]string // first and last period of each request
	}{
		{"26 years in 12-year requests", "A", "2000", "2025", [][2]string{{"2000", "2011"}, {"2012", "2023"}, {"2024", "2025"}}},
		{"one year", "A", "2023", "", [][2]string{{"2023", "2023"}}},
		{"24 months", "M", "202301", "202412", [][2]string{{"202301", "202312"}, {"202401", "202412"}}},
		{"a year of months", "M", "2023", "2023", [][2]string{{"202301", "202312"}}},
		{"13 months", "M", "202212", "202312", [][2]string{{"202212", "202311"}, {"202312", "202312"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, etl.ConfigOf(APISpec, map[string]any{"freq": tt.freq, "from": tt.from, "to": tt.to,
				"reporters": []string{"USA"}, "hs_codes": []string{"811292"}}), false)
			plan := Plan(c)
			var got [][2]string
			n := 0
			for _, r := range plan {
				if len(r.Periods) > MaxPeriods {
					t.Errorf("%d periods in one request", len(r.Periods))
				}
				got = append(got, [2]string{r.Periods[0], r.Periods[len(r.Periods)-1]})
				n += len(r.Periods)
			}
			if !reflect.DeepEqual(got, tt.want) || n != len(c.Periods) {
				t.Errorf("plan %v (%d periods), want %v", got, n, tt.want)
			}
		})
	}
}

func TestPlanURLLength(t *testing.T) {
	var codes []string
	for i := 0; i < 900; i++ {
		codes = append(codes, fmt.Sprintf("%06d", 100000+i*7))
	}
	c := mustParse(t, etl.ConfigOf(APISpec, map[string]any{"freq": "A", "from": "2020", "to": "2021", "reporters": []string{"USA", "CHN"},
		"partners": []string{"WLD"}, "hs_codes": codes, "partner2_code": "0", "mot_code": "0", "customs_code": "C00"}), true)
	if n := len(c.URL(Request{Reporters: c.Reporters, Partners: c.Partners, Periods: c.Periods, CmdCodes: c.CmdCodes, Flows: c.Flows})); n <= MaxURLLen {
		t.Fatalf("test needs an over-long URL, got %d characters", n)
	}
	plan := Plan(c)
	if len(plan) < 2 {
		t.Fatalf("plan has %d requests", len(plan))
	}
	seen := map[string]int{}
	for _, r := range plan {
		u := c.URL(r)
		if len(u) > MaxURLLen {
			t.Errorf("URL of %d characters", len(u))
		}
		if !reflect.DeepEqual(r.Periods, []string{"2020", "2021"}) || len(r.Reporters) != 2 || !strings.Contains(u, "partner2Code=0") {
			t.Errorf("request %+v", r)
		}
		for _, code := range r.CmdCodes {
			seen[code]++
		}
	}
	if len(seen) != len(codes) {
		t.Errorf("plan covers %d codes, want %d", len(seen), len(codes))
	}
	for code, n := range seen {
		if n != 1 {
			t.Errorf("code %s in %d requests", code, n)
		}
	}
}

func TestSplitOrder(t *testing.T) {
	r := Request{Reporters: []int{842, 156}, Partners: []int{0}, Periods: []string{"2020", "2021", "2022"},
		CmdCodes: []string{"2846", "280530"}, Flows: []string{"M"}}
	var dims []string
	for {
		parts := r.Split()
		if parts == nil {
			break
		}
		if len(parts) != 2 {
			t.Fatalf("%d parts", len(parts))
		}
		a, b := parts[0], parts[1]
		switch {
		case len(a.Periods)+len(b.Periods) == len(r.Periods) && len(a.Periods) < len(r.Periods):
			dims = append(dims, "period")
		case len(a.CmdCodes) < len(r.CmdCodes):
			dims = append(dims, "cmd")
		case len(a.Reporters) < len(r.Reporters):
			dims = append(dims, "reporter")
		}
		r = b
	}
	if want := []string{"period", "period", "cmd", "reporter"}; !reflect.DeepEqual(dims, want) {
		t.Errorf("split along %v, want %v", dims, want)
	}
}

func TestParseAPIConfigProblems(t *testing.T) {
	tests := []struct {
		name string
		cfg  etl.Config
		want string
	}{
		{"unknown reporter", etl.ConfigOf(APISpec, map[string]any{"reporters": []string{"XYZ"}, "hs_codes": []string{"2846"}, "from": "2023"}), `reporters: "XYZ"`},
		{"world as reporter", etl.ConfigOf(APISpec, map[string]any{"reporters": []string{"WLD"}, "hs_codes": []string{"2846"}, "from": "2023"}), "reporters"},
		{"unknown group", etl.ConfigOf(APISpec, map[string]any{"reporters": []string{"USA"}, "commodities": []string{"unobtainium"}, "from": "2023"}), "unknown commodity group"},
		{"no commodities", etl.ConfigOf(APISpec, map[string]any{"reporters": []string{"USA"}, "from": "2023"}), "commodities: give"},
		{"bad HS code", etl.ConfigOf(APISpec, map[string]any{"reporters": []string{"USA"}, "hs_codes": []string{"28x6"}, "from": "2023"}), "hs_codes"},
		{"bad flow", etl.ConfigOf(APISpec, map[string]any{"reporters": []string{"USA"}, "hs_codes": []string{"2846"}, "flows": []string{"DX"}, "from": "2023"}), "flows"},
		{"to before from", etl.ConfigOf(APISpec, map[string]any{"reporters": []string{"USA"}, "hs_codes": []string{"2846"}, "from": "2023", "to": "2020"}), "before"},
		{"months for annual", etl.ConfigOf(APISpec, map[string]any{"reporters": []string{"USA"}, "hs_codes": []string{"2846"}, "from": "202301"}), "annual data needs years"},
		{"no from", etl.ConfigOf(APISpec, map[string]any{"reporters": []string{"USA"}, "hs_codes": []string{"2846"}}), "from is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAPIConfig(tt.cfg, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	// The preview endpoint cannot return more than 500 rows, so a larger
	// max_rows would hide truncation.
	c := mustParse(t, etl.ConfigOf(APISpec, map[string]any{"reporters": []string{"USA"}, "hs_codes": []string{"2846"}, "from": "2023", "max_rows": 5000}), false)
	if c.MaxRows != PreviewMaxRows {
		t.Errorf("preview max_rows %d", c.MaxRows)
	}
}

func TestSpecDocAndDefaults(t *testing.T) {
	k, ok := etl.LookupKind(KindAPI)
	if !ok {
		t.Fatal("comtrade not registered")
	}
	cfg, probs := k.Spec.Validate(map[string]any{"reporters": []any{"USA"}, "from": "2023", "commodities": []any{"graphite"}})
	if len(probs) != 0 {
		t.Fatal(probs)
	}
	r := cfg.Reads()
	if r.String("api_key_env") != DefaultKeyEnv || r.Float("rate_per_second") != 1 || r.String("customs_code") != "C00" {
		t.Errorf("defaults: %v", cfg)
	}
	if err := r.Err(); err != nil {
		t.Error(err)
	}
	for _, kind := range []string{KindCSV, KindJSON} {
		k, _ := etl.LookupKind(kind)
		if k.FileArgs != "paths" || k.Table != etl.TradeFlows || !strings.Contains(k.Spec.Doc(), "paths") {
			t.Errorf("%s: %+v", kind, k)
		}
	}
}
