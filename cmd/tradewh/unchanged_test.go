package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/bench/gen"
)

// TestUnchangedReloadSkipsMartsAndExport: loading the same BACI file again
// changes nothing, so it rebuilds no mart and writes no export file.
func TestUnchangedReloadSkipsMartsAndExport(t *testing.T) {
	dir := t.TempDir()
	wh := filepath.Join(dir, "wh")
	var data bytes.Buffer
	if err := gen.Generate(&data, 3000, 3, 2021); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, gen.FileName(2021))
	if err := os.WriteFile(file, data.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	load := func() string {
		return mustCLI(t, "--warehouse", wh, "load", "--source", "baci", "--set", "hs_codes=*", file)
	}
	if out := load(); strings.Contains(out, "Nothing changed") {
		t.Fatalf("first load said nothing changed: %s", out)
	}
	before := time.Now()
	time.Sleep(10 * time.Millisecond) // past the file system's clock step
	out := load()
	if !strings.Contains(out, " 0 loaded (0 revised)") || !strings.Contains(out, "Nothing changed: the marts are current, not rebuilt.") {
		t.Errorf("second load: %s", out)
	}
	err := filepath.Walk(filepath.Join(wh, "parquet"), func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.ModTime().After(before) {
			t.Errorf("%s written by a load that changed nothing", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
