package etl

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExpandPaths(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.csv", "a.csv", "c.txt", "gallium [v2].txt", "sub/d.csv", "sub/deep/e.csv", "sub/f.txt", "only/g.txt"} {
		p := filepath.Join(dir, n)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	in := func(n ...string) string { return filepath.Join(append([]string{dir}, n...)...) }
	csvOnly := func(f string, inFolder bool) (bool, error) { return !inFolder || filepath.Ext(f) == ".csv", nil }
	var noMatch []string
	for _, tc := range []struct {
		name  string
		paths []string
		o     PathOptions
		want  []string
		err   string
	}{
		{"glob sorted", []string{in("*.csv")}, PathOptions{}, []string{in("a.csv"), in("b.csv")}, ""},
		{"order kept, no repeats", []string{in("b.csv"), in("*.csv")}, PathOptions{}, []string{in("b.csv"), in("a.csv")}, ""},
		{"brackets in an existing file's name", []string{in("gallium [v2].txt")}, PathOptions{}, []string{in("gallium [v2].txt")}, ""},
		{"nothing matches", []string{in("*.xlsx")}, PathOptions{}, nil, `no file matches "` + in("*.xlsx")},
		{"a pattern matching folders only matches nothing", []string{in("s*")}, PathOptions{}, nil, "no file matches"},
		{"folders a pattern matches are skipped", []string{in("*")}, PathOptions{},
			[]string{in("a.csv"), in("b.csv"), in("c.txt"), in("gallium [v2].txt")}, ""},
		{"missing file", []string{in("nope.csv")}, PathOptions{}, nil, "nope.csv"},
		{"folder", []string{dir}, PathOptions{Hint: "*.csv"}, nil, "is a folder; give files or a pattern such as " + in("*.csv")},
		{"none", nil, PathOptions{}, nil, "no paths"},
		{"walk keeps what Keep takes, in name order", []string{in("sub"), in("a.csv")}, PathOptions{Walk: true, Keep: csvOnly},
			[]string{in("sub", "d.csv"), in("sub", "deep", "e.csv"), in("a.csv")}, ""},
		{"a file given is Keep's too", []string{in("c.txt")}, PathOptions{Walk: true, Keep: csvOnly}, []string{in("c.txt")}, ""},
		{"a walked folder without a file to keep", []string{in("only")}, PathOptions{Walk: true, Keep: csvOnly, Want: "CSV file"},
			nil, `folder "` + in("only") + `" holds no CSV file`},
		{"Keep fails a file", []string{in("*.txt")}, PathOptions{Keep: func(f string, _ bool) (bool, error) {
			return false, fmt.Errorf("%s: not CSV", f)
		}}, nil, in("c.txt") + ": not CSV"},
		{"NoMatch carries on", []string{in("*.xlsx"), in("a.csv")}, PathOptions{NoMatch: func(p string) error {
			noMatch = append(noMatch, p)
			return nil
		}}, []string{in("a.csv")}, ""},
	} {
		got, err := ExpandPaths(tc.paths, tc.o)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, got, err, tc.want)
		}
	}
	if !reflect.DeepEqual(noMatch, []string{in("*.xlsx")}) {
		t.Errorf("NoMatch heard %v", noMatch)
	}
	if got := UniqueStrings([]string{" USA", "CHN", "USA", ""}); !reflect.DeepEqual(got, []string{"USA", "CHN"}) {
		t.Errorf("UniqueStrings: %v", got)
	}
}

func TestHeaderOnly(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]bool{
		"t,i,j,k,v,q\n":            true,
		"\ufefft,i,j\r\n\r\n":      true,
		"t,i,j\n1,2,3\n":           false,
		"":                         false,
		strings.Repeat("x", 70000): false,
	} {
		p := filepath.Join(dir, "f.csv")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := HeaderOnly(p); got != want {
			t.Errorf("HeaderOnly(%.20q) = %v, want %v", body, got, want)
		}
	}
}
