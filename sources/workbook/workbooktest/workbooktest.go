// Package workbooktest writes .xlsx workbooks that excelize will not write:
// cells longer than Excel allows and sheets that inflate to gigabytes, in
// the layout Excel itself uses (one sheet, inline strings).
package workbooktest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"hash/crc32"
	"os"
	"strings"
)

// Part is the XML of a sheet written as Head, Chunk repeated N times, then
// Tail. Each piece is compressed once, so a part inflating to gigabytes
// costs one chunk of memory and a file of kilobytes.
type Part struct {
	Head, Chunk, Tail string
	N                 int
}

// Size is the part's size once inflated.
func (p Part) Size() int64 {
	return int64(len(p.Head)) + int64(len(p.Chunk))*int64(p.N) + int64(len(p.Tail))
}

// SheetHead and SheetTail open and close a worksheet's XML.
const (
	SheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
	SheetTail = `</sheetData></worksheet>`
)

// Row is a sheet row of inline-string cells, in column order from A (no
// row number: rows follow each other).
func Row(cells ...string) string {
	var b strings.Builder
	b.WriteString("<row>")
	for _, c := range cells {
		b.WriteString(`<c t="inlineStr"><is><t xml:space="preserve">`)
		xml.EscapeText(&b, []byte(c))
		b.WriteString("</t></is></c>")
	}
	b.WriteString("</row>")
	return b.String()
}

// CellOpen and CellClose surround the text of an inline-string cell, for a
// Part whose Chunk is the text of one long cell.
const (
	CellOpen  = `<c t="inlineStr"><is><t>`
	CellClose = `</t></is></c>`
)

var fixedParts = []struct{ name, body string }{
	{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`</Types>`},
	{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
		`</Relationships>`},
	{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`</Relationships>`},
}

// Write writes a workbook to path whose one sheet, Sheet1, is sheet.
func Write(path string, sheet Part) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(f)
	for _, p := range fixedParts {
		w, err := zw.Create(p.name)
		if err == nil {
			_, err = w.Write([]byte(p.body))
		}
		if err != nil {
			f.Close()
			return err
		}
	}
	if err := writePart(zw, "xl/worksheets/sheet1.xml", sheet); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writePart stores p deflated: pieces compressed on their own and flushed
// to a byte boundary are a valid deflate stream one after the other.
func writePart(zw *zip.Writer, name string, p Part) error {
	head, chunk, tail := deflate(p.Head, false), deflate(p.Chunk, false), deflate(p.Tail, true)
	crc, c := crc32.ChecksumIEEE([]byte(p.Head)), []byte(p.Chunk)
	for i := 0; i < p.N; i++ {
		crc = crc32.Update(crc, crc32.IEEETable, c)
	}
	crc = crc32.Update(crc, crc32.IEEETable, []byte(p.Tail))
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, CRC32: crc, UncompressedSize64: uint64(p.Size()),
		CompressedSize64: uint64(len(head) + len(chunk)*p.N + len(tail)),
	})
	if err != nil {
		return err
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	for i := 0; i < p.N; i++ {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	_, err = w.Write(tail)
	return err
}

func deflate(s string, final bool) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write([]byte(s))
	if final {
		w.Close()
	} else {
		w.Flush()
	}
	return b.Bytes()
}
