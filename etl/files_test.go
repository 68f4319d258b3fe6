package etl

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestExpandFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.csv", "a.csv", "c.txt", "gallium [v2].txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	for _, tc := range []struct {
		name  string
		paths []string
		want  []string
		err   string
	}{
		{"glob sorted", []string{filepath.Join(dir, "*.csv")}, []string{a, b}, ""},
		{"order kept, no repeats", []string{b, filepath.Join(dir, "*.csv")}, []string{b, a}, ""},
		{"brackets in an existing file's name", []string{filepath.Join(dir, "gallium [v2].txt")}, []string{filepath.Join(dir, "gallium [v2].txt")}, ""},
		{"nothing matches", []string{filepath.Join(dir, "*.xlsx")}, nil, "no file matches"},
		{"missing file", []string{filepath.Join(dir, "nope.csv")}, nil, "nope.csv"},
		{"folder", []string{dir}, nil, "is a folder"},
		{"none", nil, nil, "no paths"},
	} {
		got, err := ExpandFiles(tc.paths, "*.csv")
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
