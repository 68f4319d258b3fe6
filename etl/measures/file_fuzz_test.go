package measures

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
)

// fileRead is what a measure file reads as, its path taken out so that two
// copies of a file compare equal.
type fileRead struct {
	measures []Measure
	problems etl.FileProblems
}

// readMeasures writes data to a measure file named name of its own and
// reads it, asserting what holds of any file: it reads as valid measures
// or fails with problems that each name a line and column of the file.
func readMeasures(t *testing.T, name string, data []byte) fileRead {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ms, err := ReadFile(path, nil)
	lines := bytes.Count(data, []byte("\n")) + 1
	var r fileRead
	if err != nil {
		if ms != nil || !errors.As(err, &r.problems) || len(r.problems) == 0 {
			t.Fatalf("%v (%T) with %d measures: not the file's problems", err, err, len(ms))
		}
		for i, p := range r.problems {
			if p.File != path || p.Line < 1 || p.Line > lines || p.Col < 1 || p.Message == "" {
				t.Fatalf("problem %q names no line 1..%d and column of %s", p.Error(), lines, path)
			}
			r.problems[i].File = ""
		}
		return r
	}
	if len(ms) == 0 {
		t.Fatal("a file of no measures read without a problem")
	}
	ids := map[string]bool{}
	for _, m := range ms {
		if m.ID == "" || strings.ContainsAny(m.ID, " ,;") || ids[m.ID] || !slices.Contains(Types, m.Type) || !slices.Contains(Statuses, m.Status) ||
			len(m.Imposing) != 3 || m.Title == "" || m.Citation == "" || m.Effective.IsZero() || (!m.End.IsZero() && m.End.Before(m.Effective)) ||
			m.Origin != path || m.Line < 1 || m.Line > lines {
			t.Fatalf("measure %+v of a file of %d lines", m, lines)
		}
		ids[m.ID] = true
		for _, c := range m.Codes {
			if !etl.ValidHSCode(c.HS) {
				t.Fatalf("measure %s covers %q", m.ID, c.HS)
			}
		}
		if len(m.Codes) == 0 && m.Unsourced == "" {
			t.Fatalf("measure %s covers no code and says not why", m.ID)
		}
		m.Origin = ""
		r.measures = append(r.measures, m)
	}
	return r
}

// fuzzMeasureFile reads data as a measure file named name, then its LF and
// CRLF forms, which must read the same.
func fuzzMeasureFile(t *testing.T, name string, data []byte) {
	readMeasures(t, name, data)
	lf := bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), []byte("\r"), nil)
	crlf := bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n"))
	if a, b := readMeasures(t, name, lf), readMeasures(t, name, crlf); !reflect.DeepEqual(a, b) {
		t.Fatalf("LF and CRLF read differently:\n LF   %+v\n CRLF %+v", a, b)
	}
}

// FuzzMeasuresCSV reads CSV measure files: each reads as valid measures
// of unique ids, or fails with problems naming a line and column; LF and
// CRLF line ends read the same. Its seeds are in
// testdata/fuzz/FuzzMeasuresCSV.
func FuzzMeasuresCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) { fuzzMeasureFile(t, "measures.csv", data) })
}

// FuzzMeasuresYAML is FuzzMeasuresCSV for YAML measure files. Its seeds
// are in testdata/fuzz/FuzzMeasuresYAML.
func FuzzMeasuresYAML(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) { fuzzMeasureFile(t, "measures.yaml", data) })
}
