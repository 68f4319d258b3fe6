package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tradewh/tradewh/output/warehouse"
)

// Writable tells whether the warehouse folder can be opened for writing
// now: a file can be created in it, and the files a writer opens (the
// database, its WAL, the writer lock) open for writing where they exist.
// It is a few system calls, cheap enough for every /healthz, and neither
// takes the writer lock nor creates the warehouse (a folder that does not
// exist yet is fine where it could be created).
func (e *Env) Writable() error {
	fail := func(err error) error {
		return fmt.Errorf("warehouse %s cannot be opened for writing: %w", e.Dir, err)
	}
	dir := e.Dir
	for { // the nearest folder that exists: where the warehouse would be created
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return fail(fmt.Errorf("%s is not a folder", dir))
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(dir) == dir {
			return fail(err)
		}
		dir = filepath.Dir(dir)
	}
	f, err := os.CreateTemp(dir, ".tradewh-write-check-*")
	if err != nil {
		return fail(err)
	}
	f.Close()
	os.Remove(f.Name())
	if dir != e.Dir {
		return nil
	}
	for _, name := range []string{warehouse.FileName, warehouse.FileName + ".wal", ".writer.lock"} {
		f, err := os.OpenFile(filepath.Join(e.Dir, name), os.O_WRONLY, 0)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fail(err)
		}
		f.Close()
	}
	return nil
}
