package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/tradewh/tradewh/etl"
	wbook "github.com/tradewh/tradewh/sources/workbook"
)

// grid is one sheet as text, indexed by the spreadsheet's own row and
// column numbers so messages point at the cell an analyst sees.
type grid struct {
	sheet  string     // '' for CSV
	cells  [][]string // merged values spread to every cell they cover
	own    [][]string // cells as stored, before the spreading
	merges []rect
	cx     cellCtx
	// uncalc: formulas saved without a value that could not be calculated
	uncalc map[wbook.Cell]string
	// oversized: cells longer than a spreadsheet allows (text cut)
	oversized map[wbook.Cell]string
}

// oversizedIn finds the first cell of row r longer than a spreadsheet
// allows, in any column: text pasted or generated into the table, so the
// row is not loaded. It names the cell's column as the file's header (or by
// its letter) and gives the reason, or "" when the row has none.
func (g *grid) oversizedIn(r int, cols []bound) (column, why string) {
	first := 0
	for c, w := range g.oversized {
		if c.Row == r && (first == 0 || c.Col < first) {
			first, why = c.Col, w
		}
	}
	if first == 0 {
		return "", ""
	}
	for _, b := range cols {
		if b.col == first {
			return b.name, why
		}
	}
	name, _ := excelize.ColumnNumberToName(first)
	return "column " + name, why
}

// rect is a merged range, 1-based and inclusive.
type rect struct{ c1, r1, c2, r2 int }

func (g *grid) numRows() int { return len(g.cells) }

func (g *grid) row(r int) []string {
	if r < 1 || r > len(g.cells) {
		return nil
	}
	return g.cells[r-1]
}

func (g *grid) cell(r, c int) string {
	row := g.row(r)
	if c < 1 || c > len(row) {
		return ""
	}
	return row[c-1]
}

// ownCell is the cell's stored value: blank for cells a merge covers.
func (g *grid) ownCell(r, c int) string {
	if r < 1 || r > len(g.own) || c < 1 || c > len(g.own[r-1]) {
		return ""
	}
	return g.own[r-1][c-1]
}

// groupTitle reports whether a cell of row r is merged across columns.
func (g *grid) groupTitle(r int) bool {
	for _, m := range g.merges {
		if m.r1 == r && m.c2 > m.c1 && g.ownCell(m.r1, m.c1) != "" {
			return true
		}
	}
	return false
}

// spreadMerges gives every cell of a merged range the value of its top-left
// cell, within the rows and columns the sheet holds.
func (g *grid) spreadMerges() {
	g.own = make([][]string, len(g.cells))
	for i, r := range g.cells {
		g.own[i] = append([]string(nil), r...)
	}
	for _, m := range g.merges {
		v := g.ownCell(m.r1, m.c1)
		if v == "" {
			continue
		}
		for r := m.r1; r <= m.r2 && r <= len(g.cells); r++ {
			row := g.cells[r-1]
			for len(row) < m.c2 {
				row = append(row, "")
			}
			for c := m.c1; c <= m.c2; c++ {
				row[c-1] = v
			}
			g.cells[r-1] = row
		}
	}
}

// readXLSX reads one sheet of a workbook: the named one, or the first.
// Cells are read raw (no number format) so numbers keep their precision
// and dates arrive as serials.
func readXLSX(data []byte, sheet string) (*grid, error) {
	f, err := wbook.Open(data)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	name, err := pickSheet(f.GetSheetList(), sheet)
	if err != nil {
		return nil, err
	}
	sh, err := wbook.Rows(f, name)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: %w", name, err)
	}
	g := &grid{sheet: name, cells: sh.Rows, cx: cellCtx{xlsx: true}, uncalc: sh.Failed, oversized: sh.Oversized}
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		g.cx.date1904 = *p.Date1904
	}
	mcs, err := f.GetMergeCells(name, true)
	if err != nil {
		return nil, fmt.Errorf("sheet %q: merged cells: %w", name, err)
	}
	for _, mc := range mcs {
		c1, r1, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("sheet %q: merged cell %v: %w", name, mc, err)
		}
		g.merges = append(g.merges, rect{c1, r1, c2, r2})
	}
	g.spreadMerges()
	return g, nil
}

func pickSheet(list []string, want string) (string, error) {
	if len(list) == 0 {
		return "", fmt.Errorf("the workbook has no sheets")
	}
	if want == "" {
		return list[0], nil
	}
	for _, s := range list {
		if s == want {
			return s, nil
		}
	}
	for _, s := range list {
		if strings.EqualFold(strings.TrimSpace(s), want) {
			return s, nil
		}
	}
	return "", fmt.Errorf("no sheet %q (sheets: %q)", want, list)
}

// readCSV reads a UTF-8 CSV file. Rows are numbered as a spreadsheet shows
// them: blank lines count, and a quoted cell spanning lines is one row.
func readCSV(data []byte, delim rune, decimalComma bool) (*grid, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("not UTF-8 text: save it as \"CSV UTF-8\"")
	}
	r := etl.NewCSVReader(bytes.NewReader(data))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	g := &grid{cx: cellCtx{decimalComma: decimalComma}}
	extra := 0 // line breaks inside quoted cells so far
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		row := line - extra
		for _, f := range rec {
			extra += strings.Count(f, "\n")
		}
		for len(g.cells) < row-1 {
			g.cells = append(g.cells, nil)
		}
		for len(rec) > 0 && strings.TrimSpace(rec[len(rec)-1]) == "" {
			rec = rec[:len(rec)-1]
		}
		g.cells = append(g.cells, rec)
	}
	g.cutLongCells()
	g.spreadMerges()
	return g, nil
}

// cutLongCells holds a CSV file's cells to a workbook's limit: a row with
// a longer cell is rejected, its text cut (wbook.Rows does the same for
// workbooks).
func (g *grid) cutLongCells() {
	for r, row := range g.cells {
		for c, v := range row {
			if short, why, long := wbook.CutCell(v, wbook.Cell{Row: r + 1, Col: c + 1}); long {
				if g.oversized == nil {
					g.oversized = map[wbook.Cell]string{}
				}
				g.oversized[wbook.Cell{Row: r + 1, Col: c + 1}], row[c] = why, short
			}
		}
	}
}
