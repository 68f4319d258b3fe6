package sheet

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"
)

// header is a located header: its rows and, per column, the texts stacked
// above the data (a group title over a sub-header in a two-row header).
type header struct {
	row, height int
	cols        []hcol // index = column number - 1
}

type hcol struct {
	parts   []string // distinct texts top to bottom, as written
	leafRow int      // row of the last part
	name    string   // how rejections name the column
}

// locate reads the header at row (1-based). height 0 means: when the row
// holds a group title (a cell merged across columns), as deep as the
// cells merged down from that row reach ("Year" merged over two rows next
// to "Imports" over "Value | Weight"); otherwise one row. A cell merged
// down into the data (a side note) does not make a header on its own.
func locate(g *grid, row, height int) *header {
	if height <= 0 {
		height = 1
		if g.groupTitle(row) {
			for _, r := range g.merges {
				if r.r1 == row && r.r2 > r.r1 {
					height = max(height, min(r.r2-r.r1+1, 5))
				}
			}
		}
	}
	h := &header{row: row, height: height}
	width := 0
	for r := row; r < row+height; r++ {
		width = max(width, len(g.row(r)))
	}
	h.cols = make([]hcol, width)
	for c := 1; c <= width; c++ {
		col := &h.cols[c-1]
		for r := row; r < row+height; r++ {
			v := strings.Join(strings.Fields(cleanCell(g.cell(r, c))), " ")
			if v != "" && (len(col.parts) == 0 || col.parts[len(col.parts)-1] != v) {
				col.parts = append(col.parts, v)
				col.leafRow = r
			}
		}
	}
	// A column is named by its own text unless another column shares it
	// (the same sub-header under two group titles): then by its path.
	leaves := map[string]int{}
	for _, c := range h.cols {
		if len(c.parts) > 0 {
			leaves[normHeader(c.leaf())]++
		}
	}
	for i := range h.cols {
		c := &h.cols[i]
		switch {
		case len(c.parts) == 0:
			c.name = ""
		case leaves[normHeader(c.leaf())] > 1:
			c.name = c.path()
		default:
			c.name = c.leaf()
		}
	}
	return h
}

func (c hcol) leaf() string { return c.parts[len(c.parts)-1] }
func (c hcol) path() string { return strings.Join(c.parts, " / ") }

// find returns the column (1-based) a configured header names. Matching
// ignores case, spacing, byte-order marks and non-breaking spaces; when
// nothing matches exactly, footnote marks are ignored on both sides. A
// configured "Group / Header" names a column under a group title.
func (h *header) find(want string, g *grid) (int, error) {
	for _, strip := range []bool{false, true} {
		w := keyOf(strings.Split(want, " / "), strip)
		if w == "" {
			continue
		}
		var hits []int
		for i, c := range h.cols {
			if len(c.parts) == 0 {
				continue
			}
			if keyOf(c.parts[len(c.parts)-1:], strip) == w || keyOf(c.parts, strip) == w {
				hits = append(hits, i+1)
			}
		}
		switch {
		case len(hits) == 1:
			return hits[0], nil
		case len(hits) > 1 && h.oneMergedCell(hits, g):
			// A header cell merged across columns: the data sits under its
			// first column.
			return hits[0], nil
		case len(hits) > 1:
			var names []string
			for _, c := range hits {
				names = append(names, fmt.Sprintf("%s %q", colLetter(c), h.cols[c-1].path()))
			}
			return 0, fmt.Errorf("%q matches %d columns (%s); name one as \"Group / Header\"",
				want, len(hits), strings.Join(names, ", "))
		}
	}
	return 0, errNoColumn
}

var errNoColumn = fmt.Errorf("no such column")

// oneMergedCell reports whether the columns' header cells are all one
// merged cell.
func (h *header) oneMergedCell(cols []int, g *grid) bool {
	row := h.cols[cols[0]-1].leafRow
	for _, r := range g.merges {
		if r.r1 <= row && row <= r.r2 && r.c1 <= cols[0] && cols[len(cols)-1] <= r.c2 {
			for _, c := range cols {
				if h.cols[c-1].leafRow != row {
					return false
				}
			}
			return true
		}
	}
	return false
}

// found lists the header cells for an error message.
func (h *header) found() string {
	var out []string
	for _, c := range h.cols {
		if len(c.parts) > 0 {
			out = append(out, strconv.Quote(c.path()))
		}
	}
	if len(out) == 0 {
		return "none (the row is blank)"
	}
	return strings.Join(out, ", ")
}

// text is the header's cells as written, comma-separated.
func (h *header) text() string {
	var out []string
	for _, c := range h.cols {
		out = append(out, c.path())
	}
	return strings.Join(out, ",")
}

// rows describes the header's rows for messages: "header row 3" or
// "header rows 3-4".
func (h *header) rows() string {
	if h.height == 1 {
		return fmt.Sprintf("header row %d", h.row)
	}
	return fmt.Sprintf("header rows %d-%d", h.row, h.row+h.height-1)
}

func keyOf(parts []string, strip bool) string {
	var ks []string
	for _, p := range parts {
		k := normHeader(p)
		if strip {
			k = stripNotes(k)
		}
		if k != "" {
			ks = append(ks, k)
		}
	}
	return strings.Join(ks, " / ")
}

// normHeader folds case and spacing.
func normHeader(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(cleanCell(s))), " ")
}

// stripNotes removes trailing footnote marks: digits ("HS code 2"),
// superscripts ("¹"), "*", "†", "‡", "§" and bracketed numbers ("(1)",
// "[2]"). A header that is nothing but such marks is kept.
func stripNotes(s string) string {
	for {
		t := strings.TrimRightFunc(s, func(r rune) bool {
			return unicode.IsDigit(r) || unicode.IsSpace(r) || strings.ContainsRune("*†‡§¹²³⁰⁴⁵⁶⁷⁸⁹", r)
		})
		for _, br := range []string{"()", "[]"} {
			if strings.HasSuffix(t, br[1:]) {
				if i := strings.LastIndex(t, br[:1]); i >= 0 && isDigits(t[i+1:len(t)-1]) {
					t = strings.TrimSpace(t[:i])
				}
			}
		}
		if t == "" {
			return s
		}
		if t == s {
			return t
		}
		s = t
	}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func colLetter(c int) string {
	s, err := excelize.ColumnNumberToName(c)
	if err != nil {
		return strconv.Itoa(c)
	}
	return s
}
