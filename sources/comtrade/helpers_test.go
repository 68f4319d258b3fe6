package comtrade

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/tradewh/tradewh/etl"
)

// sharedData finds ../shared/data next to the module root, or skips.
func sharedData(t *testing.T, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data file %s is absent (../shared/data next to the repository): %v", p, err)
	}
	return p
}

// flow is an emitted trade_flows row read back from Arrow.
type flow struct {
	Freq, Reporter, Partner, Flow, HS, Rev, Commodity, Unit, Source, Ref string
	Period                                                               time.Time
	Value, Weight, Qty                                                   *float64
	Agg                                                                  bool
	Row                                                                  int64
}

func readFlows(t *testing.T, sink *etl.MemorySink) []flow {
	t.Helper()
	var out []flow
	for _, rec := range sink.Records[etl.TradeFlows] {
		if !rec.Schema().Equal(etl.TradeFlowsSchema) {
			t.Fatalf("schema %s differs from the canonical one", rec.Schema())
		}
		str := func(c, i int) string {
			a := rec.Column(c).(*array.String)
			if a.IsNull(i) {
				return ""
			}
			return a.Value(i)
		}
		num := func(c, i int) *float64 {
			a := rec.Column(c).(*array.Float64)
			if a.IsNull(i) {
				return nil
			}
			return etl.F(a.Value(i))
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			out = append(out, flow{
				Freq: str(0, i), Period: rec.Column(1).(*array.Date32).Value(i).ToTime(),
				Reporter: str(2, i), Partner: str(3, i), Flow: str(4, i), HS: str(5, i), Rev: str(6, i),
				Commodity: str(7, i), Value: num(8, i), Weight: num(9, i), Qty: num(10, i), Unit: str(11, i),
				Agg: rec.Column(12).(*array.Boolean).Value(i), Source: str(13, i), Ref: str(14, i),
				Row: rec.Column(15).(*array.Int64).Value(i),
			})
		}
	}
	return out
}

// build validates raw against the kind's spec and builds the source.
func build(t *testing.T, kind string, raw map[string]any, rt etl.Runtime) etl.Source {
	t.Helper()
	k, ok := etl.LookupKind(kind)
	if !ok {
		t.Fatalf("kind %s not registered", kind)
	}
	cfg, probs := k.Spec.Validate(raw)
	if len(probs) > 0 {
		t.Fatalf("config problems: %v", probs)
	}
	src, err := k.New(cfg, rt)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// extract runs a source into a fresh MemorySink.
func extract(t *testing.T, src etl.Source) (*etl.MemorySink, error) {
	t.Helper()
	sink := &etl.MemorySink{}
	t.Cleanup(sink.Release)
	err := src.Extract(context.Background(), sink)
	return sink, err
}

func val(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}
