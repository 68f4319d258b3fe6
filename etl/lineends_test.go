package etl

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// A CR-only file reads as the same records, on the same lines, as its LF
// and CRLF twins; a quoted line break stays in its cell; files with LF or
// CRLF line ends read as encoding/csv always read them.
func TestNewCSVReaderReadsLoneCRAsLineEnd(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     string // records as line:fields, one per record
	}{
		{"LF", "a,b\n1,2\n3,4\n", "1:[a b] 2:[1 2] 3:[3 4]"},
		{"CRLF", "a,b\r\n1,2\r\n3,4\r\n", "1:[a b] 2:[1 2] 3:[3 4]"},
		{"CR", "a,b\r1,2\r3,4\r", "1:[a b] 2:[1 2] 3:[3 4]"},
		{"CR without a last line end", "a,b\r1,2\r3,4", "1:[a b] 2:[1 2] 3:[3 4]"},
		{"CR with a blank line", "a,b\r\r1,2\r", "1:[a b] 3:[1 2]"},
		{"CR with a line break in a quoted cell", "a,b\r\"x\ry\",2\r3,4\r", "1:[a b] 2:[x\ny 2] 4:[3 4]"},
		{"CR with a quoted header cell spanning lines", "\"a\rb\",c\r1,2\r", "1:[a\nb c] 3:[1 2]"},
		{"CR file with a CRLF later", "a,b\r1,2\r\n3,4\r", "1:[a b] 2:[1 2] 3:[3 4]"},
		// LF files keep a stray CR inside a cell as they always did
		{"LF with a CR in a quoted cell", "a,b\n\"x\ry\",2\n", "1:[a b] 2:[x\ry 2]"},
		{"LF with a quoted CR before the first line end", "\"a\rb\",c\n1,2\n", "1:[a\rb c] 2:[1 2]"},
		{"CRLF with a quoted line break", "a,b\r\n\"x\r\ny\",2\r\n", "1:[a b] 2:[x\ny 2]"},
		{"one line", "a,b", "1:[a b]"},
		{"empty", "", ""},
	} {
		for _, slow := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/one byte a read %v", tc.name, slow), func(t *testing.T) {
				var in io.Reader = strings.NewReader(tc.in)
				if slow { // every CR lands at the end of a read
					in = iotest.OneByteReader(in)
				}
				r := NewCSVReader(in)
				r.FieldsPerRecord = -1
				var got []string
				for {
					rec, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					line, _ := r.FieldPos(0)
					got = append(got, fmt.Sprintf("%d:%v", line, rec))
				}
				if g := strings.Join(got, " "); g != tc.want {
					t.Errorf("got  %q\nwant %q", g, tc.want)
				}
			})
		}
	}
}
