package sheet

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/xuri/excelize/v2"

	"github.com/tradewh/tradewh/etl"
)

// build validates cfg as a job config would be and builds the source.
func build(t *testing.T, cfg map[string]any, rt etl.Runtime) *Source {
	t.Helper()
	if rt.Logger == nil {
		rt.Logger = slog.New(slog.DiscardHandler)
	}
	src, _, err := etl.BuildSource(etl.JobSpec{Name: "analyst", Kind: Kind, Config: cfg}, rt)
	if err != nil {
		t.Fatal(err)
	}
	return src.(*Source)
}

func extract(t *testing.T, s *Source) *etl.MemorySink {
	t.Helper()
	sink := &etl.MemorySink{}
	t.Cleanup(sink.Release)
	if err := s.Extract(context.Background(), sink); err != nil {
		t.Fatal(err)
	}
	return sink
}

// rowsOf renders every row of a table as "col=value" text in schema order,
// so expectations read like the rows themselves.
func rowsOf(sink *etl.MemorySink, tbl etl.Table, cols ...string) []string {
	var out []string
	for _, rec := range sink.Records[tbl] {
		for r := 0; r < int(rec.NumRows()); r++ {
			var parts []string
			for _, name := range cols {
				idx := rec.Schema().FieldIndices(name)
				parts = append(parts, name+"="+cellText(rec.Column(idx[0]), r))
			}
			out = append(out, strings.Join(parts, " "))
		}
	}
	return out
}

// sameRows compares rowsOf output, one row a line in the failure.
func sameRows(t *testing.T, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// rejections renders each rejection as its one-line text.
func rejections(sink *etl.MemorySink) []string {
	var out []string
	for _, r := range sink.Rejections {
		out = append(out, r.String())
	}
	return out
}

func cellText(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "null"
	}
	switch c := a.(type) {
	case *array.String:
		return c.Value(i)
	case *array.Float64:
		return fmt.Sprint(c.Value(i))
	case *array.Int64:
		return fmt.Sprint(c.Value(i))
	case *array.Int32:
		return fmt.Sprint(c.Value(i))
	case *array.Boolean:
		return fmt.Sprint(c.Value(i))
	case *array.Date32:
		return c.Value(i).FormattedString()
	}
	return a.ValueStr(i)
}

// cfgOf turns Go values into what a YAML decoder yields.
func cfgOf(paths []string, table string, columns, constants, multipliers map[string]any, extra map[string]any) map[string]any {
	ps := make([]any, len(paths))
	for i, p := range paths {
		ps[i] = p
	}
	cfg := map[string]any{"paths": ps, "table": table, "columns": columns}
	if constants != nil {
		cfg["constants"] = constants
	}
	if multipliers != nil {
		cfg["multipliers"] = multipliers
	}
	for k, v := range extra {
		cfg[k] = v
	}
	return cfg
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// workbook builds an XLSX file: cells by reference, merged ranges, and the
// sheets in order (the first is renamed from excelize's Sheet1).
type workbook struct {
	t *testing.T
	f *excelize.File
}

func newWorkbook(t *testing.T, sheets ...string) *workbook {
	t.Helper()
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheets[0]); err != nil {
		t.Fatal(err)
	}
	for _, s := range sheets[1:] {
		if _, err := f.NewSheet(s); err != nil {
			t.Fatal(err)
		}
	}
	return &workbook{t: t, f: f}
}

func (w *workbook) set(sheet string, cells map[string]any) *workbook {
	w.t.Helper()
	for ref, v := range cells {
		if err := w.f.SetCellValue(sheet, ref, v); err != nil {
			w.t.Fatal(err)
		}
	}
	return w
}

func (w *workbook) merge(sheet string, ranges ...string) *workbook {
	w.t.Helper()
	for _, r := range ranges {
		a, b, _ := strings.Cut(r, ":")
		if err := w.f.MergeCell(sheet, a, b); err != nil {
			w.t.Fatal(err)
		}
	}
	return w
}

func (w *workbook) save(path string) string {
	w.t.Helper()
	if err := w.f.SaveAs(path); err != nil {
		w.t.Fatal(err)
	}
	w.f.Close()
	return path
}
