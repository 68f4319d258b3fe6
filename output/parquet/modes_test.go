//go:build duckdb_arrow && unix

package parquet

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Everything an export publishes gets the permissions the umask allows,
// so BI tools running as other accounts can read it; as root the test
// also reads every published file as nobody.
func TestExportModesFollowUmask(t *testing.T) {
	db := openDB(t)
	tests := []struct {
		umask      int
		dir, file  fs.FileMode
		othersRead bool
	}{
		{0o022, 0o755, 0o644, true},
		{0o002, 0o775, 0o664, true},
		{0o027, 0o750, 0o640, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("umask %03o", tc.umask), func(t *testing.T) {
			old := syscall.Umask(tc.umask)
			defer syscall.Umask(old)
			base := t.TempDir()
			dir := filepath.Join(base, "parquet")
			export(t, db, dir, DefaultTables()[:2])
			mustExec(t, db, `UPDATE mineral_statistics SET value = value + 1`)
			export(t, db, dir, DefaultTables()[:2]) // a retired version and its mark too

			var published []string
			err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.Type()&fs.ModeSymlink != 0 || d.Name() == lockName {
					return err // the lock file is the exporters' own
				}
				fi, err := d.Info()
				if err != nil {
					return err
				}
				want := tc.file
				if d.IsDir() {
					want = tc.dir
				} else {
					published = append(published, p)
				}
				if fi.Mode().Perm() != want {
					rel, _ := filepath.Rel(dir, p)
					t.Errorf("%s: mode %04o, want %04o", rel, fi.Mode().Perm(), want)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(published) < 6 {
				t.Fatalf("only %d files published: %v", len(published), published)
			}
			if os.Geteuid() != 0 {
				return
			}
			// Through the links, as a reader names them.
			readable := []string{ManifestPath(dir, "trade_flows")}
			for _, tb := range []string{"trade_flows", "mineral_statistics"} {
				for _, f := range readExport(t, dir, tb).manifest.Files {
					readable = append(readable, filepath.Join(dir, tb, filepath.FromSlash(f)))
				}
			}
			// t.TempDir's own folders are 0700: open them to others.
			for _, p := range []string{filepath.Dir(base), base} {
				if err := os.Chmod(p, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			out, err := readAsNobody(t, readable)
			if tc.othersRead && err != nil {
				t.Errorf("nobody cannot read the export: %v\n%s", err, out)
			}
			if !tc.othersRead && (err == nil || !strings.Contains(out, "Permission denied")) {
				t.Errorf("nobody read an export written under umask %03o: %v\n%s", tc.umask, err, out)
			}
		})
	}
}

// readAsNobody cats files as user and group 65534.
func readAsNobody(t *testing.T, paths []string) (string, error) {
	t.Helper()
	cat, err := exec.LookPath("cat")
	if err != nil {
		t.Skip("no cat to read files as another account")
	}
	cmd := exec.Command(cat, paths...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = nil, &stderr
	err = cmd.Run()
	return stderr.String(), err
}
