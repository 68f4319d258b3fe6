package sqltext

import (
	"strings"
	"testing"
)

func TestFill(t *testing.T) {
	tests := []struct {
		name, tmpl string
		parts      Parts
		want       string
		panics     string
	}{
		{name: "each name once", tmpl: "SELECT ${cols} FROM ${table}", parts: Parts{"cols": "a, b", "table": "t"},
			want: "SELECT a, b FROM t"},
		{name: "a name twice", tmpl: "SELECT ${c} FROM t GROUP BY ${c}", parts: Parts{"c": "x"},
			want: "SELECT x FROM t GROUP BY x"},
		{name: "parts are not read again", tmpl: "SELECT ${a}", parts: Parts{"a": "'${b}'"},
			want: "SELECT '${b}'"},
		{name: "braces and dollars of SQL stay", tmpl: "SELECT {'i': 1}, $1 FROM ${t}", parts: Parts{"t": "t"},
			want: "SELECT {'i': 1}, $1 FROM t"},
		{name: "missing part", tmpl: "SELECT ${a} FROM ${t}", parts: Parts{"a": "x"}, panics: `no part named "t"`},
		{name: "unused part", tmpl: "SELECT ${a}", parts: Parts{"a": "x", "b": "y"}, panics: "parts [b] are not in"},
		{name: "unclosed", tmpl: "SELECT ${a", parts: Parts{"a": "x"}, panics: "unclosed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if tt.panics == "" && r != nil {
					t.Fatalf("panic: %v", r)
				}
				if tt.panics != "" && (r == nil || !strings.Contains(r.(string), tt.panics)) {
					t.Fatalf("panic = %v, want one saying %q", r, tt.panics)
				}
			}()
			if got := Fill(tt.tmpl, tt.parts); got != tt.want {
				t.Errorf("Fill = %q, want %q", got, tt.want)
			}
		})
	}
}
