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

// A folder search or a pattern does not take a file through a link that
// leads out of the folder searched unless FollowLinks says so; a link
// within the folder, and a file named as a path, are taken.
func TestExpandPathsLinksOutOfTheFolder(t *testing.T) {
	dir := t.TempDir()
	inbox, secret := filepath.Join(dir, "inbox"), filepath.Join(dir, "secret")
	for _, f := range []string{filepath.Join(inbox, "a.csv"), filepath.Join(inbox, "sub", "b.csv"), filepath.Join(secret, "passwd"), filepath.Join(secret, "x.csv")} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("root:x:0:0\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"inbox/in.csv":       filepath.Join(inbox, "a.csv"),   // within the inbox
		"inbox/out.csv":      filepath.Join(secret, "passwd"), // out of it
		"inbox/rel.csv":      "../secret/passwd",              // out of it, relative
		"inbox/outdir":       secret,                          // a folder out of it
		"inbox/sub/side.csv": "b.csv",                         // within a subfolder
	}
	for l, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, l)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	in := func(n ...string) string { return filepath.Join(append([]string{inbox}, n...)...) }
	csv := func(f string, _ bool) (bool, error) { return filepath.Ext(f) == ".csv", nil }
	for _, tc := range []struct {
		name  string
		paths []string
		o     PathOptions
		want  []string
		err   string
	}{
		{"links within a walked folder", []string{in("sub")}, PathOptions{Walk: true}, []string{in("sub", "b.csv"), in("sub", "side.csv")}, ""},
		{"a link out of a walked folder", []string{inbox}, PathOptions{Walk: true, Keep: csv}, nil,
			in("out.csv") + " leads through a link to " + filepath.Join(secret, "passwd") + ", outside " + inbox +
				": links out of a job's folders are not followed (set follow_links: true to take it)"},
		{"a link out of a pattern's folder", []string{in("o*.csv")}, PathOptions{}, nil, in("out.csv") + " leads through a link to"},
		{"a relative link out", []string{in("r*.csv")}, PathOptions{}, nil, in("rel.csv") + " leads through a link to " + filepath.Join(secret, "passwd")},
		{"a pattern through a linked folder", []string{in("*", "x.csv")}, PathOptions{}, nil, in("outdir", "x.csv") + " leads through a link"},
		{"a link within a pattern's folder", []string{in("i*.csv")}, PathOptions{}, []string{in("in.csv")}, ""},
		{"follow_links takes them", []string{in("*.csv"), in("*", "x.csv")}, PathOptions{FollowLinks: true},
			[]string{in("a.csv"), in("in.csv"), in("out.csv"), in("rel.csv"), in("outdir", "x.csv")}, ""},
		{"a file named as a path is taken", []string{in("out.csv")}, PathOptions{}, []string{in("out.csv")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExpandPaths(tc.paths, tc.o)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%v, %v; want an error %q", got, err, tc.err)
				}
				if strings.Contains(err.Error(), "root:x") {
					t.Errorf("the error quotes the target's content: %v", err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%v %v, want %v", got, err, tc.want)
			}
		})
	}
}
