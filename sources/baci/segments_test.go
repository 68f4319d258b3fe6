package baci

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/tradewh/tradewh/etl/etltest"
)

// However a file is cut into segments and read, its rows reach the sink
// in file order with their own row numbers, and bad rows are rejected
// under theirs.
func TestSegmentsKeepFileOrder(t *testing.T) {
	var in strings.Builder
	in.WriteString(header + "\n")
	const rows = 500
	for i := 1; i <= rows; i++ {
		if i%97 == 0 {
			fmt.Fprintf(&in, "2022,4,8,x%d,1,1\n", i) // a bad product code
			continue
		}
		fmt.Fprintf(&in, "2022,%d,%d,%06d,%d.5,NA\n", []int{4, 8, 12}[i%3], []int{8, 12, 4}[i%3], 100000+i, i)
	}
	data := []byte(strings.TrimSuffix(in.String(), "\n")) // no final newline
	cases := []struct {
		name          string
		segSize, rows int
		oneByte       bool
	}{
		{"one segment", 0, 1000, false},
		{"small segments, small batches", 64, 7, false},
		{"a line per segment", 40, 3, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, sink := testParser(t, "testdata/country_codes_V202401.csv", tc.rows, nil, tc.segSize)
			r := bytes.NewReader(data)
			var err2 error
			if tc.oneByte {
				err2 = p.read(context.Background(), iotest.OneByteReader(r))
			} else {
				err2 = p.read(context.Background(), r)
			}
			if err2 != nil {
				t.Fatal(err2)
			}
			flows := etltest.TradeFlows(t, sink)
			want := rows - rows/97
			if len(flows) != want {
				t.Fatalf("%d rows, want %d", len(flows), want)
			}
			last := int64(0)
			for _, f := range flows {
				if f.Row <= last {
					t.Fatalf("row %d after row %d: out of file order", f.Row, last)
				}
				last = f.Row
				if f.Row%97 == 0 || f.HSCode != fmt.Sprintf("%06d", 100000+f.Row) {
					t.Fatalf("row %d holds product %s", f.Row, f.HSCode)
				}
			}
			if len(sink.Rejections) != rows/97 {
				t.Fatalf("%d rejections, want %d", len(sink.Rejections), rows/97)
			}
			for _, r := range sink.Rejections {
				if r.Row%97 != 0 || r.Column != "k" {
					t.Errorf("rejection of row %d, column %s", r.Row, r.Column)
				}
			}
		})
	}
}

func TestSegmentErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"empty", "", "empty file"},
		{"not BACI", "a,b,c\n1,2,3\n", "want t,i,j,k,v,q"},
		{"line too long", header + "\n" + strings.Repeat("9", 100) + "\n", "line longer than 40 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := testParser(t, "testdata/country_codes_V202401.csv", 10, nil, 40)
			err := p.read(context.Background(), strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
