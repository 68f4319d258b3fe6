package etl

import "testing"

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"t,i,j", `"t,i,j"`},
		{"root:x:0:0:root:/root:/bin/bash", `"root:x:0:0:root:/root:/b"…`},
		{"123456789012345678901234", `"123456789012345678901234"`},
		{"ééééééééééééééééééééééééé", `"éééééééééééééééééééééééé"…`},
		{"", `""`},
	} {
		if got := Excerpt(tc.in); got != tc.want {
			t.Errorf("Excerpt(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
