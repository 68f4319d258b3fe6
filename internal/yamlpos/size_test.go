package yamlpos

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/parser"
)

// nested is a document of levels lists of ten aliases, each repeating
// the list before it: 10^(levels+1) strings once expanded.
func nested(levels int) string {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	return b.String()
}

func TestCheckSize(t *testing.T) {
	tests := []struct {
		name, doc string
		want      string // "line:col: start of the message"; "" for no error
	}{
		{"a few aliases", "a: &x [1, 2]\nb: *x\nc: {<<: {k: *x}}\n", ""},
		{"nested aliases under the limit", nested(3), ""},
		// with their keys and the root, a0..a3 count 12349 values and each
		// alias of a3 11111 more: the eighth in a list passes 100000
		{"nested aliases over the limit", nested(4), "5:45: aliases expand the file to more than 100000 values"},
		{"an alias of an alias over the limit", nested(3) + "b: [" + strings.Repeat("*a3, ", 9) + "*a3]\n", "5:40: aliases expand"},
		{"a merge key over the limit", nested(3) + "m: &m {k: *a3}\nn: [" + strings.Repeat("{<<: *m}, ", 8) + "]\n", "6:"},
		{"a long list", "l: [" + strings.Repeat("1, ", MaxItems) + "1]\n", "1:4: a list of 10001 items: at most 10000"},
		{"a list of the limit", "l: [" + strings.TrimSuffix(strings.Repeat("1, ", MaxItems), ", ") + "]\n", ""},
		{"many values without aliases", strings.Repeat("- ["+strings.TrimSuffix(strings.Repeat("1, ", 1000), ", ")+"]\n", 101), "100:2701: more than 100000 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parser.ParseBytes([]byte(tt.doc), 0)
			if err != nil {
				t.Fatal(err)
			}
			err = CheckSize(f.Docs[0])
			var se *SizeError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("CheckSize: %v, want no error", err)
			case tt.want == "":
			case !errors.As(err, &se) || !strings.HasPrefix(se.Error(), tt.want):
				t.Fatalf("CheckSize: %v, want %s...", err, tt.want)
			}
		})
	}
}
