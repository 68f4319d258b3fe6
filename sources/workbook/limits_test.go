package workbook

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/sources/workbook/workbooktest"
)

func readBook(t *testing.T, sheet workbooktest.Part) (*Sheet, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	if err := workbooktest.Write(path, sheet); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(data)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Rows(f, "Sheet1")
}

// A workbook of a few megabytes can inflate to gigabytes: it is refused
// before anything is unzipped, from the sizes the zip declares (which the
// zip reader holds every part to).
func TestInflatedSizeCapped(t *testing.T) {
	row := workbooktest.Row("MCS2024", "Gallium", "2023", "9400")
	for _, tc := range []struct {
		name string
		size int64 // at least
		err  string
	}{
		{"1 GiB", 1 << 30, "inflates to 1.0 GiB"},
		{"just over the cap", MaxInflated + 1, "inflates to"},
		{"under the cap", 1 << 20, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chunk := strings.Repeat(row, 1+(1<<16)/len(row))
			p := workbooktest.Part{Head: workbooktest.SheetHead, Chunk: chunk, Tail: workbooktest.SheetTail}
			p.N = int((tc.size - int64(len(p.Head)+len(p.Tail)) + int64(len(chunk)) - 1) / int64(len(chunk)))
			s, err := readBook(t, p)
			if tc.err == "" {
				if err != nil || len(s.Rows) != p.N*strings.Count(chunk, "<row>") {
					t.Fatalf("%v; rows %d, want %d", err, len(s.Rows), p.N*strings.Count(chunk, "<row>"))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "256 MiB") {
				t.Errorf("error %v, want %q and the limit", err, tc.err)
			}
		})
	}
}

// A cell longer than Excel allows is cut and listed, with the reason; the
// other cells and rows are read as they are.
func TestLongCellsCut(t *testing.T) {
	long := strings.Repeat("7", MaxCellChars+1)
	at := strings.Repeat("é", MaxCellChars) // 2 bytes each, within the limit
	s, err := readBook(t, workbooktest.Part{Head: workbooktest.SheetHead +
		workbooktest.Row("a", "b", "c") + workbooktest.Row("1", long, at) + workbooktest.Row("2", "3") +
		"<row>" + workbooktest.CellOpen, Chunk: strings.Repeat("x", 1<<20), N: 8, Tail: workbooktest.CellClose + "</row>" + workbooktest.SheetTail})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 4 || s.Rows[2][1] != "3" || s.Rows[1][2] != at {
		t.Fatalf("rows not read as written: %d rows", len(s.Rows))
	}
	for _, c := range []struct {
		cell  Cell
		name  string
		chars int
	}{{Cell{2, 2}, "B2", MaxCellChars + 1}, {Cell{4, 1}, "A4", 8 << 20}} {
		why, ok := s.Oversized[c.cell]
		if !ok || !strings.Contains(why, fmt.Sprintf("cell %s holds %d characters", c.name, c.chars)) || !strings.Contains(why, "32767") {
			t.Errorf("%s: %q, want the cell and the limit named", c.name, why)
		}
		if v := s.Rows[c.cell.Row-1][c.cell.Col-1]; len(v) > 200 {
			t.Errorf("%s: %d bytes kept, want the text cut", c.name, len(v))
		}
	}
	if len(s.Oversized) != 2 {
		t.Errorf("oversized %v, want B2 and A4", s.Oversized)
	}
}
