package etl

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
)

// CSV files saved as "CSV (Macintosh)" end their lines with a lone CR,
// which encoding/csv does not read as a line end: the whole file would be
// one row. The readers below detect such a file from its first line end
// and read each lone CR in it as LF (a CR inside a quoted cell too, as a
// line break in a cell). A file whose first line ends in LF or CRLF is
// passed through untouched, so it reads exactly as it always did.

// sniffSize is how far the first line end is looked for.
const sniffSize = 64 << 10

// NewCSVReader is csv.NewReader over LoneCRAsLF(r): every CSV source opens
// its files with it.
func NewCSVReader(r io.Reader) *csv.Reader { return csv.NewReader(LoneCRAsLF(r)) }

// LoneCRAsLF returns r, or, when its first line end (outside quotes) is a
// lone CR, a reader of r with every lone CR read as LF. It is for readers
// of lines that do not go through encoding/csv (BACI's).
func LoneCRAsLF(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, sniffSize)
	head, _ := br.Peek(sniffSize) // shorter at the end of the file; errors surface on Read
	if !crFirst(head) {
		return br
	}
	return &crReader{r: br}
}

// crFirst reports whether the first line end of head outside quoted
// cells is a lone CR.
func crFirst(head []byte) bool {
	quoted := false
	for i, b := range head {
		switch b {
		case '"':
			quoted = !quoted // "" inside a quoted cell toggles twice
		case '\n':
			if !quoted {
				return false
			}
		case '\r':
			if !quoted {
				return i+1 == len(head) || head[i+1] != '\n'
			}
		}
	}
	return false
}

// crReader reads a lone CR as LF; CRLF stays CRLF.
type crReader struct{ r *bufio.Reader }

func (c *crReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := bytes.IndexByte(p[:n], '\r'); i >= 0; {
		var next byte
		if i+1 < n {
			next = p[i+1]
		} else if b, perr := c.r.Peek(1); perr == nil {
			next = b[0] // the CR ends this read: look at what follows
		}
		if next != '\n' {
			p[i] = '\n'
		}
		j := bytes.IndexByte(p[i+1:n], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return n, err
}
