// Package workbook opens .xlsx workbooks for the file sources and reads
// their sheets as text, saying plainly what a file that is not a readable
// workbook is, and calculating formulas that were saved without a value.
package workbook

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

var (
	zipMagic = []byte("PK\x03\x04")
	// an OLE compound file: an encrypted .xlsx, or an Excel 97-2003 .xls
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	// the stream an encrypted OOXML package keeps its key data in, as the
	// UTF-16 directory entry name of the compound file
	encryptionInfo = utf16le("EncryptionInfo")
)

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// ErrEncrypted is returned for a password-protected workbook.
var ErrEncrypted = errors.New("the workbook is password-protected (encrypted): save a copy without a password (Excel: File > Info > Protect Workbook > Encrypt with Password, clear the password) and load that")

// MaxInflated is the most a workbook may hold once unzipped. The tables the
// sources read take a few megabytes (an MCS workbook under one); a file of
// a few megabytes can inflate to gigabytes, and reading it would take as
// much memory again.
const MaxInflated = 256 << 20

// MaxCellChars is the most characters a cell may hold, Excel's own limit:
// a longer cell was not written by a spreadsheet program.
const MaxCellChars = excelize.TotalCellChars

// cutChars is how much of an oversized cell's text is kept, to show it.
const cutChars = 100

// Check says what data is when it is not an .xlsx workbook, or nil.
func Check(data []byte) error {
	switch {
	case bytes.HasPrefix(data, oleMagic):
		if bytes.Contains(data, encryptionInfo) {
			return ErrEncrypted
		}
		return errors.New("an Excel 97-2003 (.xls) or other OLE document, not an .xlsx workbook: save it as .xlsx (Excel Workbook)")
	case !bytes.HasPrefix(data, zipMagic):
		return errors.New("not an .xlsx workbook: the file is not a zip archive (a CSV or text file named .xlsx?)")
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("not a readable .xlsx workbook: the zip archive is damaged or cut short (%v)", err)
	}
	if err := checkInflated(zr, len(data)); err != nil {
		return err
	}
	for _, f := range zr.File {
		if strings.EqualFold(f.Name, "xl/workbook.xml") {
			return nil
		}
	}
	for _, f := range zr.File {
		if f.Name == "[Content_Types].xml" {
			rc, err := f.Open()
			if err == nil {
				var b bytes.Buffer
				_, err = b.ReadFrom(rc)
				rc.Close()
				if err == nil && bytes.Contains(b.Bytes(), []byte("spreadsheetml.sheet.main")) {
					return nil // a workbook part under another name
				}
			}
		}
	}
	return errors.New("a zip archive but not an .xlsx workbook (it holds no xl/workbook.xml): save the table as .xlsx or CSV")
}

// checkInflated refuses a workbook whose parts, as the zip declares them,
// add up to more than MaxInflated: the zip reader fails a part that
// inflates to more than it declares, so the sum bounds what can be read.
func checkInflated(zr *zip.Reader, fileSize int) error {
	var total uint64
	for _, f := range zr.File {
		total += min(f.UncompressedSize64, math.MaxUint64-total)
	}
	if total <= MaxInflated {
		return nil
	}
	return fmt.Errorf("the workbook inflates to %s once unzipped (from a file of %s), more than the %s a workbook may hold: split it into smaller workbooks or save its table as CSV",
		sizeText(total), sizeText(uint64(fileSize)), sizeText(MaxInflated))
}

// sizeText writes a size in bytes as people read it: 256 MiB, 1.0 GiB.
func sizeText(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Open reads an .xlsx workbook held in data.
func Open(data []byte) (*excelize.File, error) {
	if err := Check(data); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxInflated})
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	return f, nil
}

// Cell is a 1-based row and column of a sheet.
type Cell struct{ Row, Col int }

// Sheet is a sheet's cells as text.
type Sheet struct {
	Rows [][]string
	// Failed: formulas saved without a value that cannot be calculated,
	// left blank, with the reason.
	Failed map[Cell]string
	// Oversized: cells longer than MaxCellChars, their text cut to its
	// start, with the reason; the caller rejects their rows.
	Oversized map[Cell]string
}

// Rows returns a sheet's cells as stored (raw values, no number format),
// one row at a time, so that a cell too long to be a spreadsheet's is cut
// before the next is read. A formula saved without its value (a workbook
// written by a tool that does not calculate) is calculated; one that
// cannot be is left blank and listed in Failed with the reason, so the
// caller rejects it rather than read it as a blank cell.
func Rows(f *excelize.File, sheet string) (*Sheet, error) {
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	s := &Sheet{}
	for r := 1; it.Next(); r++ {
		row, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			it.Close()
			return nil, fmt.Errorf("row %d: %w", r, err)
		}
		for c, v := range row {
			if short, why, long := CutCell(v, Cell{r, c + 1}); long {
				if s.Oversized == nil {
					s.Oversized = map[Cell]string{}
				}
				s.Oversized[Cell{r, c + 1}], row[c] = why, short
			}
		}
		if len(row) > 0 {
			for len(s.Rows) < r-1 {
				s.Rows = append(s.Rows, nil)
			}
			s.Rows = append(s.Rows, row)
		}
	}
	if err := it.Error(); err != nil {
		it.Close()
		return nil, err
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	if err := s.calculate(f, sheet); err != nil {
		return nil, err
	}
	return s, nil
}

// CutCell cuts a cell longer than MaxCellChars to its first characters and
// says why, naming the cell as a spreadsheet would; long is false, and v
// returned as it is, for a cell within the limit. Text files (CSV) are held
// to the same limit, so a row of either kind is rejected the same way.
func CutCell(v string, at Cell) (short, why string, long bool) {
	if len(v) <= MaxCellChars || utf16Len(v) <= MaxCellChars {
		return v, "", false
	}
	name, _ := excelize.CoordinatesToCellName(at.Col, at.Row)
	return cut(v), fmt.Sprintf("cell %s holds %d characters, more than the %d a cell can hold in Excel: the row is rejected, its text cut to the first %d",
		name, utf16Len(v), MaxCellChars, cutChars), true
}

// utf16Len counts characters as Excel does, in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// cut keeps the first cutChars characters of s, marked as cut.
func cut(s string) string {
	n := 0
	for i := range s {
		if n == cutChars {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// calculate fills the blank cells that hold formulas saved without a value.
func (s *Sheet) calculate(f *excelize.File, sheet string) error {
	for r, row := range s.Rows {
		for c, v := range row {
			if v != "" {
				continue
			}
			name, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return err
			}
			formula, err := f.GetCellFormula(sheet, name)
			if err != nil || formula == "" {
				continue
			}
			val, cerr := f.CalcCellValue(sheet, name, excelize.Options{RawCellValue: true})
			switch {
			case cerr == nil && !strings.HasPrefix(val, "#"):
				row[c] = val
				continue
			case cerr == nil:
				cerr = fmt.Errorf("it gives %s", val)
			}
			if s.Failed == nil {
				s.Failed = map[Cell]string{}
			}
			s.Failed[Cell{r + 1, c + 1}] = fmt.Sprintf("cell %s holds the formula =%s saved without its value, and it cannot be calculated here (%v): open the workbook in a spreadsheet program and save it, so the value is stored", name, formula, cerr)
		}
	}
	return nil
}
