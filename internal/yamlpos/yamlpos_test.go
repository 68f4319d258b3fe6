package yamlpos

import (
	"testing"

	"github.com/goccy/go-yaml/parser"
)

func TestStart(t *testing.T) {
	tests := []struct {
		name, doc       string
		wantLine, wantC int
	}{
		{"block mapping: its first key", "\n  a: 1\n  b: 2\n", 2, 3},
		{"flow mapping: its brace", "{a: 1}\n", 1, 1},
		{"scalar", "\n   hello\n", 2, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parser.ParseBytes([]byte(tt.doc), 0)
			if err != nil {
				t.Fatal(err)
			}
			if l, c := Start(f.Docs[0].Body); l != tt.wantLine || c != tt.wantC {
				t.Errorf("Start = %d:%d, want %d:%d", l, c, tt.wantLine, tt.wantC)
			}
		})
	}
}
