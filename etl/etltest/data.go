// Package etltest holds what the tests of sources and of the CLI share:
// finding the real published data, reading emitted batches back into
// etl's row types, building and running sources, and checks that span
// packages. Only tests import it.
package etltest

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedData returns the absolute path of the real data folder,
// ../shared/data next to the module root. It skips when the folder is
// absent, as on a fresh clone: those files ship beside the repository.
func SharedData(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found above the test directory: cannot locate ../shared/data")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		t.Skipf("real data folder %s is absent (it ships next to the repository, not in it): %v", data, err)
	}
	return data
}

// SharedFile returns the path of rel inside SharedData, skipping when
// that one file or folder is absent.
func SharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(SharedData(t), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data %s is absent from the shared data folder: %v", rel, err)
	}
	return p
}
