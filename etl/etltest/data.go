// Package etltest holds what the tests of sources, of the marts and of the
// CLI share: finding the real published data and reading it with nothing
// but encoding/csv, reading emitted batches back into etl's row types,
// building and running sources, and checks that span packages. Only tests
// import it.
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
	dir, ok := moduleRoot(t)
	if !ok {
		t.Skip("go.mod not found above the test directory: cannot locate ../shared/data")
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(data); err != nil {
		t.Skipf("real data folder %s is absent (it ships next to the repository, not in it): %v", data, err)
	}
	return data
}

// RepoFile returns the path of rel (slash-separated) from the module
// root, so that a test reads the repository's own files (README.md, the
// Dockerfile, a source's testdata) from whichever package it is in.
func RepoFile(t testing.TB, rel string) string {
	t.Helper()
	dir, ok := moduleRoot(t)
	if !ok {
		t.Fatal("go.mod not found above the test directory")
	}
	return filepath.Join(dir, filepath.FromSlash(rel))
}

// moduleRoot is the nearest folder at or above the test's own that holds
// go.mod.
func moduleRoot(t testing.TB) (string, bool) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
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
