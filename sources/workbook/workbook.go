// Package workbook opens .xlsx workbooks for the file sources and reads
// their sheets as text, saying plainly what a file that is not a readable
// workbook is, and calculating formulas that were saved without a value.
package workbook

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
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

// Open reads an .xlsx workbook held in data.
func Open(data []byte) (*excelize.File, error) {
	if err := Check(data); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	return f, nil
}

// Cell is a 1-based row and column of a sheet.
type Cell struct{ Row, Col int }

// Rows returns a sheet's cells as stored (raw values, no number format).
// A formula saved without its value (a workbook written by a tool that does
// not calculate) is calculated; one that cannot be is left blank and
// listed in failed with the reason, so the caller rejects it rather than
// read it as a blank cell.
func Rows(f *excelize.File, sheet string) (rows [][]string, failed map[Cell]string, err error) {
	rows, err = f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, nil, err
	}
	for r, row := range rows {
		for c, v := range row {
			if v != "" {
				continue
			}
			name, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				return nil, nil, err
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
			if failed == nil {
				failed = map[Cell]string{}
			}
			failed[Cell{r + 1, c + 1}] = fmt.Sprintf("cell %s holds the formula =%s saved without its value, and it cannot be calculated here (%v): open the workbook in a spreadsheet program and save it, so the value is stored", name, formula, cerr)
		}
	}
	return rows, failed, nil
}
