package baci_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/sources/baci"
)

const fixture = "testdata/BACI_HS17_Y2022_V202401.csv"

// flow is a trade_flows row read back from Arrow, nulls as nil.
type flow struct {
	freq, reporter, partner, flow, hs string
	period                            time.Time
	revision, commodity, unit         *string
	value, kg, qty                    *float64
	aggregate                         bool
	source, ref                       string
	row                               int64
}

func extract(t *testing.T, cfg map[string]any) (map[int64]flow, map[int64]etl.Rejection) {
	t.Helper()
	src, _, err := etl.BuildSource(etl.JobSpec{Name: "test", Kind: baci.Kind, Config: cfg}, etl.Runtime{})
	if err != nil {
		t.Fatal(err)
	}
	sink := &etl.MemorySink{}
	defer sink.Release()
	if err := src.Extract(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	flows := map[int64]flow{}
	for _, rec := range sink.Records[etl.TradeFlows] {
		if err := etl.CheckSchema(etl.TradeFlows, rec.Schema()); err != nil {
			t.Fatal(err)
		}
		for _, f := range readFlows(rec) {
			if _, dup := flows[f.row]; dup {
				t.Fatalf("row %d emitted twice", f.row)
			}
			flows[f.row] = f
		}
	}
	rej := map[int64]etl.Rejection{}
	for _, r := range sink.Rejections {
		rej[r.Row] = r
	}
	return flows, rej
}

func readFlows(rec arrow.RecordBatch) []flow {
	str := func(c, i int) string { return etl.StringsOf(rec.Column(c))(i) }
	optStr := func(c, i int) *string {
		if rec.Column(c).IsNull(i) {
			return nil
		}
		s := str(c, i)
		return &s
	}
	optF := func(c, i int) *float64 {
		if rec.Column(c).IsNull(i) {
			return nil
		}
		v := rec.Column(c).(*array.Float64).Value(i)
		return &v
	}
	var out []flow
	for i := 0; i < int(rec.NumRows()); i++ {
		out = append(out, flow{
			freq: str(0, i), period: rec.Column(1).(*array.Date32).Value(i).ToTime(),
			reporter: str(2, i), partner: str(3, i), flow: str(4, i), hs: str(5, i),
			revision: optStr(6, i), commodity: optStr(7, i),
			value: optF(8, i), kg: optF(9, i), qty: optF(10, i), unit: optStr(11, i),
			aggregate: rec.Column(12).(*array.Boolean).Value(i),
			source:    str(13, i), ref: str(14, i), row: rec.Column(15).(*array.Int64).Value(i),
		})
	}
	return out
}

func sp(s string) *string   { return &s }
func fp(v float64) *float64 { return &v }

func paths(p ...string) []any {
	out := make([]any, len(p))
	for i, s := range p {
		out[i] = s
	}
	return out
}

func TestFixtureMapsEveryField(t *testing.T) {
	flows, rej := extract(t, map[string]any{"paths": paths(fixture)})
	y2022 := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	base := flow{freq: "A", period: y2022, flow: etl.FlowImport, revision: sp("HS2017"), unit: sp("t"),
		source: baci.Kind, ref: fixture}
	want := map[int64]flow{}
	add := func(row int64, rep, par, hs, comm string, v, q *float64) {
		f := base
		f.row, f.reporter, f.partner, f.hs, f.commodity, f.value, f.qty = row, rep, par, hs, sp(comm), v, q
		if q != nil {
			f.kg = fp(*q * 1000)
		} else {
			f.unit = nil
		}
		want[row] = f
	}
	// BACI's i exports to j: the row is j's import from i.
	add(1, "USA", "CHN", "280530", "rare_earths", fp(1234567), fp(12.5))
	add(3, "USA", "FRA", "811292", "gallium_germanium", fp(1), fp(0)) // 0.001 thousand is exactly 1
	add(6, "USA", "S19", "250410", "graphite", fp(100500), nil)       // bare NA
	add(7, "CHN", "USA", "810194", "tungsten", fp(2250), nil)         // empty q
	add(11, "KOR", "DEU", "811299", "gallium_germanium", fp(12000), fp(0.3))
	if len(flows) != len(want) {
		t.Errorf("got rows %v, want %d rows", keys(flows), len(want))
	}
	for row, w := range want {
		g, ok := flows[row]
		if !ok {
			t.Errorf("row %d missing", row)
			continue
		}
		if diff := compare(g, w); diff != "" {
			t.Errorf("row %d: %s", row, diff)
		}
	}

	wantRej := map[int64]struct{ col, reason string }{
		4:  {"i", "unknown exporter country code 999"},
		5:  {"v", `value "1.2.3" is not a non-negative number`},
		9:  {"", "4 fields, want 6"},
		10: {"q", `quantity "x" is not a non-negative number`},
	}
	if len(rej) != len(wantRej) {
		t.Errorf("rejected rows %v, want %d", keys(rej), len(wantRej))
	}
	for row, w := range wantRej {
		r, ok := rej[row]
		switch {
		case !ok:
			t.Errorf("row %d not rejected", row)
		case r.Column != w.col || !strings.Contains(r.Reason, w.reason):
			t.Errorf("row %d rejected as %q %q, want %q containing %q", row, r.Column, r.Reason, w.col, w.reason)
		case r.Ref != fixture || r.Source != baci.Kind || r.Table != etl.TradeFlows || r.Raw == "":
			t.Errorf("row %d rejection lacks provenance: %+v", row, r)
		}
	}
}

func TestFilters(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     map[string]any
		rows    []int64
		rejects []int64
	}{
		{"default: commodity groups", map[string]any{}, []int64{1, 3, 6, 7, 11}, []int64{4, 5, 9, 10}},
		{"every product", map[string]any{"hs_codes": paths("*")}, []int64{1, 2, 3, 6, 7, 8, 11}, []int64{4, 5, 9, 10}},
		{"prefix", map[string]any{"hs_codes": paths("8112", "0101")}, []int64{2, 3, 11}, []int64{9}},
		{"importers", map[string]any{"reporters": paths("usa")}, []int64{1, 3, 6}, []int64{4, 5, 9}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg["paths"] = paths(fixture)
			flows, rej := extract(t, tc.cfg)
			if got := keys(flows); !slices.Equal(got, tc.rows) {
				t.Errorf("rows %v, want %v", got, tc.rows)
			}
			if got := keys(rej); !slices.Equal(got, tc.rejects) {
				t.Errorf("rejected %v, want %v", got, tc.rejects)
			}
			if f, ok := flows[2]; ok && (f.hs != "010121" || f.commodity != nil) {
				t.Errorf("row 2: hs %q commodity %v, want 010121 with no group", f.hs, f.commodity)
			}
		})
	}
}

// Without a country_codes file the M49 codes of the countries table apply;
// an unnamed file leaves hs_revision empty.
func TestWithoutCountryCodes(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "flows.csv")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	flows, rej := extract(t, map[string]any{"paths": paths(filepath.Join(dir, "*.csv"))})
	if len(flows) != 5 || len(rej) != 4 {
		t.Fatalf("got %d rows and %d rejections, want 5 and 4", len(flows), len(rej))
	}
	if f := flows[6]; f.partner != "S19" || f.revision != nil || f.ref != path {
		t.Errorf("row 6: partner %q revision %v ref %q, want S19, null, %s", f.partner, f.revision, f.ref, path)
	}
	if r := rej[4]; !strings.Contains(r.Reason, "no country_codes file") {
		t.Errorf("row 4: %q should say no country_codes file was found", r.Reason)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  map[string]any
		want string
	}{
		{map[string]any{}, "paths"},
		{map[string]any{"paths": paths(fixture), "hs_codes": paths("28A6")}, "hs_codes: item 1"},
		{map[string]any{"paths": paths(fixture), "hs_codes": paths("81129200")}, "2 to 6 digits"},
		{map[string]any{"paths": paths(fixture), "reporters": paths("XYZ")}, "reporters: item 1"},
	} {
		_, _, err := etl.BuildSource(etl.JobSpec{Name: "test", Kind: baci.Kind, Config: tc.cfg}, etl.Runtime{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.cfg, err, tc.want)
		}
	}
	src, _, err := etl.BuildSource(etl.JobSpec{Name: "test", Kind: baci.Kind,
		Config: map[string]any{"paths": paths("testdata/none_*.csv")}}, etl.Runtime{})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Extract(context.Background(), &etl.MemorySink{}); err == nil || !strings.Contains(err.Error(), "no file matches") {
		t.Errorf("glob matching nothing: %v", err)
	}
}

func TestBadHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BACI_HS22_Y2023_V202501.csv")
	if err := os.WriteFile(path, []byte("year,exporter,importer,product,value,quantity\n2023,4,8,10121,1,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src, _, err := etl.BuildSource(etl.JobSpec{Name: "test", Kind: baci.Kind, Config: map[string]any{"paths": paths(path)}}, etl.Runtime{})
	if err != nil {
		t.Fatal(err)
	}
	err = src.Extract(context.Background(), &etl.MemorySink{})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "want t,i,j,k,v,q") {
		t.Errorf("error %v, want one naming the file and the header BACI has", err)
	}
}

func keys[V any](m map[int64]V) []int64 {
	var out []int64
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func compare(g, w flow) string {
	var diffs []string
	eq := func(name string, a, b any) {
		if a != b {
			diffs = append(diffs, name+": got "+fmt.Sprint(a)+", want "+fmt.Sprint(b))
		}
	}
	eq("freq", g.freq, w.freq)
	eq("period", g.period, w.period)
	eq("reporter", g.reporter, w.reporter)
	eq("partner", g.partner, w.partner)
	eq("flow", g.flow, w.flow)
	eq("hs_code", g.hs, w.hs)
	eq("hs_revision", deref(g.revision), deref(w.revision))
	eq("commodity", deref(g.commodity), deref(w.commodity))
	eq("value_usd", deref(g.value), deref(w.value))
	eq("net_weight_kg", deref(g.kg), deref(w.kg))
	eq("quantity", deref(g.qty), deref(w.qty))
	eq("quantity_unit", deref(g.unit), deref(w.unit))
	eq("is_aggregate", g.aggregate, w.aggregate)
	eq("source", g.source, w.source)
	eq("source_ref", g.ref, w.ref)
	eq("source_row", g.row, w.row)
	return strings.Join(diffs, "; ")
}

// deref turns a pointer into its value, or "<null>".
func deref[T any](p *T) any {
	if p == nil {
		return "<null>"
	}
	return *p
}
